"""Feed health: every feed's last success, error, failures, next retry, items a day and highlighted share.

The figures are VigieCore.feed_health_report's, read on the task runner and again after each poll and each
change of the feeds. Every column sorts (numbers as numbers); the Muted column mutes a feed in one click, and
the buttons re-poll (through the scheduler) or remove (after a confirmation) the selected feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import describe_error
from monitor.core.models import Feed
from monitor.core.polling.health import SEVERITY, FeedHealthRow, Health
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso
from monitor.core.support.folder_paths import format_folder_path
from monitor.ui.bridge import Bridge
from monitor.ui.icons import dot_icon
from monitor.ui.questions import ask_yes_no
from monitor.ui.style import HEALTH_COLOURS, TEXT_MUTED, format_date

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

COLUMNS = [
    "Feed",
    "Folder",
    "Health",
    "Last success",
    "Failures",
    "Next poll",
    "Items/day (14 d)",
    "Highlighted",
    "Muted",
    "Last error",
]
(
    COL_FEED,
    COL_FOLDER,
    COL_HEALTH,
    COL_SUCCESS,
    COL_FAILURES,
    COL_NEXT,
    COL_PER_DAY,
    COL_SHARE,
    COL_MUTED,
    COL_ERROR,
) = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by: numbers for the figures
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the FeedHealthRow
NUMERIC = {COL_FAILURES, COL_PER_DAY, COL_SHARE}
_Index = QModelIndex | QPersistentModelIndex


class FeedHealthModel(QAbstractTableModel):
    """The rows of the last report; SORT_ROLE gives each cell's sort key (numbers, ISO dates, severity)."""

    mute_requested = Signal(list, bool)  # feed ids, muted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FeedHealthRow] = []

    def set_rows(self, rows: Sequence[FeedHealthRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.column() == COL_MUTED else base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, column = self.rows[index.row()], index.column()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, column)
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == COL_MUTED:
            return Qt.CheckState.Checked if row.feed.muted else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column == COL_HEALTH:
            state = row.health.state
            return dot_icon(HEALTH_COLOURS[state], hollow=state is Health.NEVER)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.feed.enabled:
            return QColor(TEXT_MUTED)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A click on the Muted box asks for the change; the box follows when the store has it (the refresh)."""
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != COL_MUTED:
            return False
        muted = Qt.CheckState(value) == Qt.CheckState.Checked
        self.mute_requested.emit([self.rows[index.row()].feed.id], muted)
        return True


def _text(row: FeedHealthRow, column: int) -> str:
    feed, share = row.feed, row.highlighted_share
    if column == COL_FEED:
        return feed.title or feed.url
    if column == COL_FOLDER:
        return format_folder_path(feed.folder)
    if column == COL_HEALTH:
        return row.health.label
    if column == COL_SUCCESS:
        return format_date(feed.last_success) or ("never" if feed.last_fetched else "—")
    if column == COL_FAILURES:
        return str(feed.consecutive_failures) if feed.consecutive_failures else ""
    if column == COL_NEXT:
        return format_date(iso(row.next_poll)) if row.next_poll else "—"
    if column == COL_PER_DAY:
        return f"{row.items_per_day:.1f}"
    if column == COL_SHARE:
        return "—" if share is None else f"{share:.0%}"
    if column == COL_ERROR:
        return feed.last_error or (feed.disabled_reason or "" if not feed.enabled else "")
    return ""


def _sort_key(row: FeedHealthRow, column: int) -> Any:
    feed = row.feed
    keys: dict[int, Any] = {
        COL_FEED: (feed.title or feed.url).casefold(),
        COL_FOLDER: format_folder_path(feed.folder).casefold(),
        COL_HEALTH: SEVERITY[row.health.state],
        COL_SUCCESS: feed.last_success or "",
        COL_FAILURES: feed.consecutive_failures,
        COL_NEXT: iso(row.next_poll) if row.next_poll else "~",  # disabled: after every date
        COL_PER_DAY: row.items_per_day,
        COL_SHARE: -1.0 if row.highlighted_share is None else row.highlighted_share,
        COL_MUTED: int(feed.muted),
        COL_ERROR: (feed.last_error or "").casefold(),
    }
    return keys[column]


def _tooltip(row: FeedHealthRow, column: int) -> str:
    feed = row.feed
    if column == COL_FEED:
        return feed.url
    if column == COL_HEALTH:
        return row.health.words
    if column == COL_SUCCESS:
        tried = format_date(feed.last_fetched, long=True)
        done = format_date(feed.last_success, long=True) or "never"
        return f"Last success: {done}\nLast attempt: {tried or 'never'}"
    if column == COL_NEXT and row.next_poll:
        return format_date(iso(row.next_poll), long=True)
    if column == COL_PER_DAY:
        days = [
            row.first_day.fromordinal(row.first_day.toordinal() + i) for i in range(len(row.activity.per_day))
        ]
        lines = [f"{d:%a %d %b}: {n}" for d, n in zip(days, row.activity.per_day, strict=True)]
        last = format_date(row.activity.last_item, long=True) or "none"
        return (
            f"{row.activity.recent} items in 14 days (UTC days)\n"
            + "\n".join(lines)
            + f"\nLatest item: {last}"
        )
    if column == COL_SHARE:
        return f"{row.activity.highlighted} of {row.activity.items} stored items highlighted by the watchlist"
    if column == COL_MUTED:
        return "A muted feed is still polled and scored, but never alerts"
    return _text(row, column)


class SparklineDelegate(QStyledItemDelegate):
    """Items a day: fourteen small bars (oldest left), then the mean."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        row: FeedHealthRow | None = index.data(ROW_ROLE)
        super().paint(painter, option, index)
        if row is None or not row.activity.recent:
            return
        counts = row.activity.per_day
        rect: QRect = option.rect.adjusted(4, 4, -44, -4)  # type: ignore[attr-defined]
        if rect.width() < len(counts) * 2:
            return
        step = rect.width() / len(counts)
        top = max(counts)
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(HEALTH_COLOURS[row.health.state]))
        for i, count in enumerate(counts):
            height = max(1, round(rect.height() * count / top)) if count else 0
            left = rect.left() + round(i * step)
            painter.drawRect(left, rect.bottom() - height + 1, max(1, round(step) - 1), height)
        painter.restore()


class FeedHealthView(QDialog):
    """A non-modal window over the feed health table; reads and changes go through the task runner and the
    bridge. `refreshed` says the table shows the report as last read."""

    refreshed = Signal()

    def __init__(
        self,
        core: VigieCore,
        bridge: Bridge,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = bridge
        self.confirm = confirm or self._ask
        self.setWindowTitle("Feed health — Vigie")
        self.resize(1240, 560)
        self._reading = False
        self._read_again = False

        self.model = FeedHealthModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_HEALTH, Qt.SortOrder.AscendingOrder)  # the worst first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(COL_PER_DAY, SparklineDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        room = header.fontMetrics()
        for column, width in (
            (COL_FEED, 230),
            (COL_FOLDER, 120),
            (COL_HEALTH, 124),
            (COL_SUCCESS, 100),
            (COL_FAILURES, 0),
            (COL_NEXT, 100),
            (COL_PER_DAY, 150),
            (COL_SHARE, 0),
            (COL_MUTED, 0),
        ):  # at least the title and the sort arrow
            self.table.setColumnWidth(column, max(width, room.horizontalAdvance(COLUMNS[column]) + 30))
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)

        self.summary = QLabel(self)
        self.mute_button = QPushButton("Mute", self)
        self.poll_button = QPushButton("Poll now", self)
        self.remove_button = QPushButton("Remove…", self)
        close = QPushButton("Close", self)
        close.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Selected feeds:", self))
        for button in (self.mute_button, self.poll_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.model.mute_requested.connect(self.set_muted)
        self.mute_button.clicked.connect(self._toggle_mute)
        self.poll_button.clicked.connect(self.poll_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        close.clicked.connect(self.close)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        # After a poll the app also says the feeds changed: both land in one read.
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.refresh)
        bridge.poll_finished.connect(lambda _result: self._later.start())
        bridge.feeds_changed.connect(self._later.start)
        self._on_selection()
        self.refresh()

    # -- reading --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the report again on the task runner; a refresh asked for meanwhile reads once more after."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        core = self.core
        self.bridge.runner.submit(
            lambda _p: core.feed_health_report(),
            on_result=self._show,
            on_error=self._failed,
            name="feed_health_report",
        )

    def _show(self, rows: list[FeedHealthRow]) -> None:
        self._reading = False
        selected = {f.id for f in self.selected_feeds()}
        self.model.set_rows(rows)
        selection = self.table.selectionModel()
        flags = selection.SelectionFlag.Select | selection.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).feed.id in selected:
                selection.select(index, flags)
        counts = {state: sum(r.health.state is state for r in rows) for state in Health}
        parts = [f"{len(rows)} feed{'s' if len(rows) != 1 else ''}"]
        parts += [
            f"{counts[s]} {s.value}" for s in (Health.FAILING, Health.QUIET, Health.DISABLED) if counts[s]
        ]
        self.summary.setText(" · ".join(parts) + " — items and days over the last two weeks (UTC)")
        self._on_selection()
        self.refreshed.emit()
        if self._read_again:
            self._read_again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._reading = False
        self.bridge.error.emit(f"Could not read the feed health: {describe_error(exc)}")

    # -- the selected feeds ---------------------------------------------------------------------------------

    def selected_feeds(self) -> list[Feed]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [index.data(ROW_ROLE).feed for index in sorted(rows, key=lambda i: i.row())]

    def _on_selection(self) -> None:
        feeds = self.selected_feeds()
        for button in (self.mute_button, self.poll_button, self.remove_button):
            button.setEnabled(bool(feeds))
        self.mute_button.setText("Unmute" if feeds and all(f.muted for f in feeds) else "Mute")

    def _toggle_mute(self) -> None:
        feeds = self.selected_feeds()
        if feeds:
            self.set_muted([f.id for f in feeds], not all(f.muted for f in feeds))

    def set_muted(self, feed_ids: list[int], muted: bool) -> None:
        """Mute or unmute (VigieCore.set_muted) as a small ordered write; the feeds change, the view re-reads."""
        core, bridge = self.core, self.bridge
        bridge.runner.submit(
            lambda _p: core.set_muted(feed_ids, muted),
            on_result=lambda _n: bridge.feeds_changed.emit(),
            on_error=lambda exc: bridge.error.emit(f"Could not change the mute: {describe_error(exc)}"),
            serial=True,
            name="set_muted",
        )

    def poll_selected(self) -> None:
        """Poll the selected feeds now, through the scheduler (the one poll path)."""
        feeds = self.selected_feeds()
        if feeds:
            self.bridge.poll_now(feeds)

    def remove_selected(self) -> None:
        feeds = self.selected_feeds()
        if not feeds:
            return
        what = feeds[0].title or feeds[0].url if len(feeds) == 1 else f"these {len(feeds)} feeds"
        if self.confirm(f"Remove {what} and the articles they brought?"):
            for feed in feeds:
                self.bridge.remove_feed(feed.id)

    def _ask(self, question: str) -> bool:
        return ask_yes_no(self, "Remove feeds", question)


def open_feed_health(window: MainWindow) -> FeedHealthView:
    """Show the window's feed health view (made once, then raised)."""
    view = window.findChild(FeedHealthView)
    if view is None:
        view = FeedHealthView(window.core, window.bridge, window, confirm=window.confirm)
    view.show()
    view.raise_()
    view.activateWindow()
    return view
