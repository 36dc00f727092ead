"""The sidebar: the fixed views, the feeds' folder tree (each folder with its subtree's unread and highlighted
counts, collapsible, feeds dragged between folders) and the watchlist entries, with counts."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QMimeData, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from monitor.core.support.folder_paths import FolderPath
from monitor.ui.icons import dot_icon
from monitor.ui.sidebar_drag import ROWS_MIME, draggable, dropped_rows, rows_mime_data
from monitor.ui.sidebar_menu import sidebar_menu
from monitor.ui.sidebar_rows import (
    FIXED_VIEWS,
    SidebarRow,
    SidebarRows,
    Target,
    feed_target,
    folder_target,
    sidebar_rows,
)
from monitor.ui.style import BADGE_HOT_BG, TEXT_MUTED

__all__ = ["FIXED_VIEWS", "Sidebar", "SidebarRow", "SidebarRows", "Target", "feed_target", "sidebar_rows"]

log = logging.getLogger(__name__)

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
# Rows filled per pass of the event loop when a group is rebuilt: a slice short enough that the GUI thread
# stays responsive (docs/BENCHMARKS.md has what one costs).
SYNC_SLICE_ROWS = 400

COUNT_COLUMN = 1
HIGHLIGHTED_COLUMN = 2

_ENABLED = Qt.ItemFlag.ItemIsEnabled
_SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_FLAGS = {
    "view": _SELECTABLE,
    "entry": _SELECTABLE,
    "folder": _SELECTABLE | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled,
    "feed": _SELECTABLE | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled,
}


@dataclass
class _Rebuild:
    """A group's new items, filled a slice at a time before they replace its rows."""

    group: QTreeWidgetItem
    rows: list[SidebarRow]
    items: list[QTreeWidgetItem] = field(default_factory=list)  # every row's item, in order
    top: list[QTreeWidgetItem] = field(default_factory=list)  # the items right under the group
    parents: list[QTreeWidgetItem] = field(default_factory=list)  # the open folders above the next row


class Sidebar(QTreeWidget):
    """Three groups, Sources, Feeds and Watchlist; selecting a row emits `target_selected`.

    It is updated on the GUI thread while polls run, and with 500 feeds and 1,500 watchlist entries a full
    rebuild there stalled it (docs/BENCHMARKS.md). So its rows are worked out on a worker (`sidebar_rows`); a
    few changed rows are updated in place, and a group that changes more (or whose folder tree changes) is
    rebuilt off-screen, SYNC_SLICE_ROWS rows per pass of the event loop, then swapped in at once.

    The sidebar only asks; the window does (monitor/ui/sidebar_commands.py):
        feedsdropped_rows(tuple[int, ...], FolderPath): feeds dropped on a folder (or the Feeds header: ()).
        foldersdropped_rows(tuple[FolderPath, ...], FolderPath): folders dropped there, to move with their feeds.
        command_requested(str, Target): a context-menu command on a folder or a feed (see `context_menu`).
        follow_requested(str): "Follow in news search" on a watchlist entry (its name).
        collapsed_changed(): the analyst opened or closed a folder (`collapsed_folders` to keep).
    """

    target_selected = Signal(object)  # Target
    feeds_dropped = Signal(object, object)
    folders_dropped = Signal(object, object)
    command_requested = Signal(str, object)
    follow_requested = Signal(str)
    timeline_requested = Signal(str)  # "Timeline…" on a watchlist entry (its name)
    collapsed_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setColumnCount(3)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (COUNT_COLUMN, HIGHLIGHTED_COLUMN):  # sized by _fit_count_columns
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        self._sources = self._group("SOURCES")
        self._feeds = self._group("FEEDS")
        self._feeds.setFlags(_ENABLED | Qt.ItemFlag.ItemIsDropEnabled)  # a drop here: the top level
        self._feeds.setToolTip(0, "Drop a feed here to take it out of its folder; right-click: New folder…")
        self._watchlist = self._group("WATCHLIST")
        self._groups = (self._sources, self._feeds, self._watchlist)
        self._shown: dict[int, list[SidebarRow]] = {id(g): [] for g in self._groups}
        self._items: dict[int, list[QTreeWidgetItem]] = {id(g): [] for g in self._groups}
        self._rebuilding: list[_Rebuild] = []
        self._collapsed: set[FolderPath] = set()
        self._next_slice = QTimer(self)
        self._next_slice.setSingleShot(True)
        self._next_slice.setInterval(0)
        self._next_slice.timeout.connect(self._build_slice)
        self._muted = QBrush(QColor(TEXT_MUTED))
        self._hot = QBrush(QColor(BADGE_HOT_BG))
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self._folder_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        self.currentItemChanged.connect(self._on_current)
        self.itemExpanded.connect(lambda item: self._on_toggled(item, expanded=True))
        self.itemCollapsed.connect(lambda item: self._on_toggled(item, expanded=False))

    def _group(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title, ""])
        item.setFlags(_ENABLED)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        item.setFont(0, font)
        item.setForeground(0, QBrush(QColor(TEXT_MUTED)))
        item.setExpanded(True)
        return item

    # -- contents -------------------------------------------------------------------------------------------

    def show_rows(self, rows: SidebarRows) -> None:
        """Show `rows`, keeping the current row selected. A group whose rows keep their order and nesting and
        of which at most SYNC_SLICE_ROWS rows changed (after a poll, say) is updated now; any other is rebuilt
        in slices (see `rebuilding`). A rebuild still under way is dropped: these rows are newer."""
        self._next_slice.stop()
        self._rebuilding = []
        with self._bulk_change():
            for group, new in (
                (self._sources, rows.sources),
                (self._feeds, rows.feeds),
                (self._watchlist, rows.watched),
            ):
                shown = self._shown[id(group)]
                if len(shown) == len(new) and all(
                    a.target == b.target and a.depth == b.depth for a, b in zip(shown, new, strict=True)
                ):
                    changed = [
                        (i, old, row)
                        for i, (old, row) in enumerate(zip(shown, new, strict=True))
                        if old != row
                    ]
                    if len(changed) <= SYNC_SLICE_ROWS:
                        items = self._items[id(group)]
                        for index, old, row in changed:
                            self._fill(items[index], row, old)
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
                row = rebuild.rows[len(rebuild.items)]
                item = QTreeWidgetItem()  # filled before it joins the tree: no signal to the view per field
                self._fill(item, row)
                del rebuild.parents[row.depth :]
                if rebuild.parents:
                    rebuild.parents[-1].addChild(item)
                else:
                    rebuild.top.append(item)
                if row.target.kind == "folder":
                    rebuild.parents.append(item)
                rebuild.items.append(item)
        if self._rebuilding:
            self._swap_in()

    def _swap_in(self) -> None:
        current = self.current_target()
        with self._bulk_change():
            for rebuild in self._rebuilding:
                rebuild.group.takeChildren()
                rebuild.group.addChildren(rebuild.top)
                rebuild.group.setExpanded(True)
                self._shown[id(rebuild.group)] = rebuild.rows
                self._items[id(rebuild.group)] = rebuild.items
                for row, item in zip(rebuild.rows, rebuild.items, strict=True):
                    if row.target.kind == "folder":  # an item expands once in the tree, not before
                        item.setExpanded(row.target.folder not in self._collapsed)
            self._rebuilding = []
            gone = not self.select(current or Target("view", view="all"))
            if gone:
                self.select(Target("view", view="all"))
        if gone and current is not None:  # its folder or feed was removed: the list follows the selection
            self.target_selected.emit(Target("view", view="all"))

    @contextmanager
    def _bulk_change(self) -> Iterator[None]:
        """No target_selected (nor collapsed_changed) while rows change; the count columns sized at the end."""
        blocker = QSignalBlocker(self)
        try:
            yield
        finally:
            self._fit_count_columns()
            del blocker

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_count_columns()  # the style sheet's padding counts from now on

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_count_columns()

    def _fit_count_columns(self) -> None:
        """Make each count column as wide as its widest count. Qt's ResizeToContents measures up to 1,000
        rows after each change (slow with thousands of rows); the widest count is the one with the most
        digits. The highlighted column is hidden while no feed has a highlighted unread article."""
        widest: dict[int, tuple[int, QTreeWidgetItem | None]] = {
            COUNT_COLUMN: (0, None),
            HIGHLIGHTED_COLUMN: (0, None),
        }
        for group in self._groups:
            for row, item in zip(self._shown[id(group)], self._items[id(group)], strict=True):
                for column, value in ((COUNT_COLUMN, row.count), (HIGHLIGHTED_COLUMN, row.highlighted)):
                    if value and len(str(value)) > widest[column][0]:
                        widest[column] = (len(str(value)), item)
        header = self.header()
        for column, (_digits, item) in widest.items():
            width = self.sizeHintForIndex(self.indexFromItem(item, column)).width() if item else 0
            header.resizeSection(column, max(width, header.minimumSectionSize()))
        self.setColumnHidden(HIGHLIGHTED_COLUMN, widest[HIGHLIGHTED_COLUMN][1] is None)

    def _fill(self, item: QTreeWidgetItem, row: SidebarRow, old: SidebarRow | None = None) -> None:
        """Set what differs from `old` (everything for a new item): each change is a signal to the view."""
        if old is None:
            item.setData(0, TARGET_ROLE, row.target)
            item.setFlags(_FLAGS.get(row.target.kind, _SELECTABLE))
            item.setTextAlignment(COUNT_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setForeground(COUNT_COLUMN, self._muted)
            if row.target.kind in ("folder", "feed"):
                item.setTextAlignment(
                    HIGHLIGHTED_COLUMN, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
                item.setForeground(HIGHLIGHTED_COLUMN, self._hot)
            if row.target.kind == "folder":
                item.setIcon(0, self._folder_icon)
            if row.bold:
                item.setFont(0, self._bold)
        if old is None or old.label != row.label:
            item.setText(0, row.label)
        if old is None or old.count != row.count:
            item.setText(COUNT_COLUMN, str(row.count) if row.count else "")
        if old is None or old.highlighted != row.highlighted:
            item.setText(HIGHLIGHTED_COLUMN, str(row.highlighted) if row.highlighted else "")
            item.setToolTip(
                HIGHLIGHTED_COLUMN, f"{row.highlighted} highlighted unread" if row.highlighted else ""
            )
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

    # -- folders: open or closed, kept by the window across refreshes and restarts --------------------------

    @property
    def collapsed_folders(self) -> set[FolderPath]:
        return set(self._collapsed)

    def set_collapsed_folders(self, paths: Sequence[FolderPath]) -> None:
        """Close these folders (and open every other) now and whenever the tree is rebuilt."""
        self._collapsed = {tuple(p) for p in paths}
        with QSignalBlocker(self):
            for row, item in zip(self._shown[id(self._feeds)], self._items[id(self._feeds)], strict=True):
                if row.target.kind == "folder":
                    item.setExpanded(row.target.folder not in self._collapsed)

    def _on_toggled(self, item: QTreeWidgetItem, *, expanded: bool) -> None:
        target = item.data(0, TARGET_ROLE)
        if not isinstance(target, Target) or target.kind != "folder":
            return
        if expanded:
            self._collapsed.discard(target.folder)
        else:
            self._collapsed.add(target.folder)
        self.collapsed_changed.emit()

    # -- drag and drop: feeds onto folders ------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        """The dragged feeds' ids and folders' paths."""
        return rows_mime_data([i.data(0, TARGET_ROLE) for i in items])

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def drop_folder(self, item: QTreeWidgetItem | None) -> FolderPath | None:
        """Where feeds dropped on `item` go: the folder itself, a feed's folder, the top level for the Feeds
        header; None for anywhere else."""
        if item is self._feeds:
            return ()
        target = item.data(0, TARGET_ROLE) if item is not None else None
        if not isinstance(target, Target):
            return None
        if target.kind == "folder":
            return target.folder
        if target.kind == "feed":
            parent = item.parent() if item is not None else None
            above = parent.data(0, TARGET_ROLE) if parent is not None else None
            return above.folder if isinstance(above, Target) and above.kind == "folder" else ()
        return None

    def dropMimeData(
        self, parent: QTreeWidgetItem | None, index: int, data: QMimeData, action: Qt.DropAction
    ) -> bool:
        """Rows dropped on `parent` (the model's drop path ends here too): emit `feeds_dropped` and
        `folders_dropped`; the window moves them in the store and the tree follows from the recount, not from
        this drop. False when nothing can go there (a folder into itself, say)."""
        folder = self.drop_folder(parent)
        if folder is None:
            return False
        ids, folders = dropped_rows(data, folder)
        if ids:
            self.feeds_dropped.emit(ids, folder)
        if folders:
            self.folders_dropped.emit(folders, folder)
        return bool(ids or folders)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # QAbstractItemView removes the dragged rows after a move: here the recount moves them.
        items = [i for i in self.selectedItems() if draggable(i.data(0, TARGET_ROLE))]
        if items:
            drag = QDrag(self)
            drag.setMimeData(self.mimeData(items))
            drag.exec(Qt.DropAction.MoveAction)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)  # scrolling near the edges, the drop indicator
        folder = self.drop_folder(self.itemAt(event.position().toPoint()))
        if folder is not None and any(dropped_rows(event.mimeData(), folder)):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        # Not QTreeWidget's: it would move the items itself.
        item = self.itemAt(event.position().toPoint())
        if self.dropMimeData(item, -1, event.mimeData(), Qt.DropAction.MoveAction):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()

    # -- context menus --------------------------------------------------------------------------------------

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:  # the Menu key: the current row's menu
            item = self.currentItem()
            where = self.viewport().mapToGlobal(self.visualItemRect(item).center()) if item else None
        else:
            item, where = self.itemAt(event.pos()), event.globalPos()
        target = folder_target(()) if item is self._feeds else item.data(0, TARGET_ROLE) if item else None
        menu = self.context_menu(target) if isinstance(target, Target) else None
        if menu is not None and where is not None:
            menu.exec(where)
            menu.deleteLater()

    def context_menu(self, target: Target) -> QMenu | None:
        """The menu of a row (the Feeds header is the folder ()); its actions emit `command_requested` or
        `follow_requested`. None for rows without one (the fixed views)."""
        row = self._row_for(target)
        return sidebar_menu(self, target, silenced=row.silenced if row is not None else False)

    # -- selection ------------------------------------------------------------------------------------------

    def current_target(self) -> Target | None:
        item = self.currentItem()
        target = item.data(0, TARGET_ROLE) if item is not None else None
        return target if isinstance(target, Target) else None

    def items(self) -> list[QTreeWidgetItem]:
        return [item for group in self._groups for item in self._items[id(group)]]

    def item_for(self, target: Target) -> QTreeWidgetItem | None:
        for item in self.items():
            found = item.data(0, TARGET_ROLE)
            if isinstance(found, Target) and found.label_key == target.label_key:
                return item
        return None

    def _row_for(self, target: Target) -> SidebarRow | None:
        for group in self._groups:
            for row in self._shown[id(group)]:
                if row.target.label_key == target.label_key:
                    return row
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
