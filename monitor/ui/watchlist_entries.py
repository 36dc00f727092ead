"""The watchlist editor's left column: the entries, a filter over their names and terms, add and remove."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from monitor.core.matching.watchlist import Entry
from monitor.ui.icons import dot_icon
from monitor.ui.style import KIND_DOTS, TEXT_MUTED

log = logging.getLogger(__name__)


def entry_label(entry: Entry) -> str:
    """How an entry reads in the list: its name and weight."""
    return f"{entry.name or '(no name)'}  ·  {entry.weight:g}"


class EntryList(QWidget):
    """Lists the entries it is given; the editor owns them and says when one changes."""

    row_changed = Signal(int)  # the selected row, -1 for none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter entries")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.add_button = QPushButton("Add entry", self)
        self.remove_button = QPushButton("Remove", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.list.currentRowChanged.connect(self.row_changed)
        self.filter.textChanged.connect(self._apply_filter)

    def fill(self, entries: Sequence[Entry]) -> None:
        """Show `entries` (without announcing a row change), keeping the filter."""
        self._entries = list(entries)
        blocker = QSignalBlocker(self.list)
        self.list.clear()
        for entry in self._entries:
            item = QListWidgetItem(entry_label(entry))
            item.setIcon(dot_icon(KIND_DOTS.get(entry.kind, TEXT_MUTED)))
            self.list.addItem(item)
        del blocker
        self._apply_filter(self.filter.text())

    def update_row(self, row: int, entry: Entry) -> None:
        """The entry at `row` was edited: its label and dot follow."""
        self._entries[row] = entry
        item = self.list.item(row)
        item.setText(entry_label(entry))
        item.setIcon(dot_icon(KIND_DOTS.get(entry.kind, TEXT_MUTED)))

    def set_current_row(self, row: int) -> None:
        self.list.setCurrentRow(row)

    def clear_filter(self) -> None:
        self.filter.clear()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row, entry in enumerate(self._entries):
            haystack = " ".join(
                (entry.name, entry.kind, *entry.aliases, *entry.case_sensitive_aliases, *entry.prefixes)
            ).casefold()
            self.list.item(row).setHidden(bool(needle) and needle not in haystack)
