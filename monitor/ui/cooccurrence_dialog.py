"""Who appears with whom (issue 17 item 4): a matrix of the watched entries named in a period, each cell shaded by
how many articles name both; the diagonal holds each entry's own mentions. Activating a cell (click, Return)
lists the articles naming both. The counts are read on the task runner (VigieCore.signals.cooccurrence), never
on the GUI thread."""

from __future__ import annotations

import logging
from datetime import timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import describe_error
from monitor.core.signals.cooccurrence import CoOccurrence
from monitor.core.support.clock import iso, utc_now
from monitor.ui.bridge import Bridge
from monitor.ui.style import TEXT_MUTED
from monitor.ui.timeline_dialog import SPANS

log = logging.getLogger(__name__)

MAX_ENTRIES = 30  # the most named entries: a wider matrix cannot be read
HEAT = QColor(
    192, 57, 43
)  # the darkest cell; lighter ones mix it with white by their share of the largest count

Index = QModelIndex | QPersistentModelIndex


class CoOccurrenceModel(QAbstractTableModel):
    """The matrix: rows and columns are the most named entries (most named first), a cell the articles naming
    both, the diagonal an entry's mentions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[str] = []
        self.mentions: dict[str, int] = {}
        self.cells: dict[tuple[str, str], int] = {}
        self.largest = 0

    def show(self, found: CoOccurrence) -> None:
        self.beginResetModel()
        self.entries = [entry for entry, _ in found.mentions[:MAX_ENTRIES]]
        self.mentions = dict(found.mentions)
        self.cells = found.matrix()
        shown = set(self.entries)
        self.largest = max((n for (a, b), n in self.cells.items() if a in shown and b in shown), default=0)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def pair(self, index: Index) -> tuple[str, str, int]:
        """The two entries of a cell and how many articles name both (an entry's mentions on the diagonal)."""
        a, b = self.entries[index.row()], self.entries[index.column()]
        return a, b, self.mentions.get(a, 0) if a == b else self.cells.get((a, b), 0)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        a, b, count = self.pair(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            if a == b:
                return f"{a}: named in {count} articles"
            return f"{a} and {b}: {count} articles name both" + (" (Return lists them)" if count else "")
        if role == Qt.ItemDataRole.BackgroundRole and a != b and count:
            share = count / max(1, self.largest)
            mix = 0.15 + 0.85 * share
            color = QColor(
                round(255 + (HEAT.red() - 255) * mix),
                round(255 + (HEAT.green() - 255) * mix),
                round(255 + (HEAT.blue() - 255) * mix),
            )
            return QBrush(color)
        if role == Qt.ItemDataRole.ForegroundRole:
            if a == b:
                return QBrush(QColor(TEXT_MUTED))
            if count and count / max(1, self.largest) > 0.5:
                return QBrush(QColor("white"))
        if role == Qt.ItemDataRole.FontRole and a == b:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and 0 <= section < len(
            self.entries
        ):
            name = self.entries[section]
            return (
                name
                if role == Qt.ItemDataRole.DisplayRole
                else f"{name}: {self.mentions.get(name, 0)} articles"
            )
        return None


class CoOccurrenceDialog(QDialog):
    """A period above; the matrix below.

    Signals:
        pair_chosen(str, str, object): a cell was activated: the two entries and the period's start (an ISO
            date, or None for all time); the window lists the articles naming both.
    """

    pair_chosen = Signal(str, str, object)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who appears with whom")
        self.resize(980, 640)
        self._bridge = bridge
        self.span = QComboBox()
        for label, days in SPANS:
            self.span.addItem(label, days)
        self.span.setCurrentIndex(1)
        self.span.currentIndexChanged.connect(lambda _i: self.reload())
        self.note = QLabel("")
        self.note.setStyleSheet(f"color:{TEXT_MUTED};")
        self.model = CoOccurrenceModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setDefaultSectionSize(92)
        self.table.horizontalHeader().setMinimumHeight(48)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        )
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.activated.connect(self.choose)
        self.table.clicked.connect(self.choose)
        top = QHBoxLayout()
        top.addWidget(QLabel("Articles published over"))
        top.addWidget(self.span)
        top.addStretch(1)
        top.addWidget(self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        hint = QLabel(
            "Each cell: how many articles name both entries (darker: more); the diagonal, an entry's own "
            "mentions. Click a cell or press Return to list its articles. F5: count again."
        )
        hint.setStyleSheet(f"color:{TEXT_MUTED};")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        QShortcut(QKeySequence("F5"), self, self.reload)
        self._loading = False
        self._again = False
        self.found: CoOccurrence | None = None
        self.since: str | None = None

    def reload(self) -> None:
        """Count again on the runner; the matrix is redrawn when the counts land."""
        if self._loading:
            self._again = True
            return
        days = self.span.currentData()
        since = iso(utc_now() - timedelta(days=days)) if days else None
        self._loading = True
        self.note.setText("Counting…")
        signals = self._bridge.core.signals

        def count(_progress: object) -> CoOccurrence:
            return signals.cooccurrence(since=since)

        self._bridge.runner.submit(
            count,
            on_result=lambda found: self._landed(found, since),
            on_error=self._failed,
            name="cooccurrence",
        )

    def choose(self, index: QModelIndex) -> None:
        """A cell of two entries named together lists their articles; the diagonal and empty cells say so."""
        if not index.isValid():
            return
        a, b, count = self.model.pair(index)
        if a == b:
            self.note.setText(f"{a}: named in {count} articles; pick a cell off the diagonal")
        elif not count:
            self.note.setText(f"No article names both {a} and {b} in that period")
        else:
            self.pair_chosen.emit(a, b, self.since)

    def _landed(self, found: CoOccurrence, since: str | None) -> None:
        self._loading = False
        self.found, self.since = found, since
        self.model.show(found)
        shown = f"the {MAX_ENTRIES} most named of " if len(found.mentions) > MAX_ENTRIES else ""
        self.note.setText(
            f"{shown}{len(found.mentions)} entries named, {len(found.pairs)} pairs named together"
            if found.mentions
            else "No article names a watched entry in that period"
        )
        if self._again:
            self._again = False
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        self.note.setText(f"Could not count: {describe_error(exc)}")
        log.error("co-occurrence failed: %s", exc)
