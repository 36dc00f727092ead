"""The watchlist editor's middle column: the form for one entry (name, kind, weight, aliases, context, note)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from monitor.core.matching.watchlist import KINDS, Entry
from monitor.ui.icons import dot_icon
from monitor.ui.style import KIND_DOTS

log = logging.getLogger(__name__)


def _lines(text: str) -> tuple[str, ...]:
    """One term per non-blank line, trimmed."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated names, trimmed."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


class EntryForm(QWidget):
    """Shows one entry and says when the user edits it; `entry()` reads the edited entry back."""

    edited = Signal()  # the user changed a field (not emitted by show_entry)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.kind = QComboBox(self)
        for kind in KINDS:
            self.kind.addItem(dot_icon(KIND_DOTS[kind]), kind, kind)
        self.weight = QDoubleSpinBox(self)
        self.weight.setRange(0.0, 50.0)
        self.weight.setSingleStep(0.5)
        self.weight.setDecimals(1)
        self.aliases = QPlainTextEdit(self)
        self.aliases.setPlaceholderText(
            "One per line. Accents and letter case are ignored; whole words only."
        )
        self.case_aliases = QPlainTextEdit(self)
        self.case_aliases.setPlaceholderText("One per line, exact letter case (RAID, not raid).")
        self.prefixes = QPlainTextEdit(self)
        self.prefixes.setPlaceholderText(
            "One per line: any word starting with it (narcotrafi → narcotrafiquants)."
        )
        self.context = QLineEdit(self)
        self.context.setPlaceholderText("Entry names or kinds, comma-separated (e.g. topic, DZ Mafia)")
        self.context.setToolTip("When set, the entry counts only in articles where one of these also counts.")
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("Why this entry is on the list")
        self.follow_button = QPushButton("Follow in news search", self)
        self.follow_button.setToolTip(
            "Add Google News searches for these aliases (French and English) to the Searches folder"
        )
        for edit, height in (
            (self.aliases, 110),
            (self.case_aliases, 60),
            (self.prefixes, 60),
            (self.note, 70),
        ):
            edit.setMinimumHeight(height)
            edit.setTabChangesFocus(True)
        form = QFormLayout(self)
        form.setContentsMargins(6, 0, 6, 0)
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("Weight", self.weight)
        form.addRow("Aliases", self.aliases)
        form.addRow("Case-sensitive", self.case_aliases)
        form.addRow("Prefixes", self.prefixes)
        form.addRow("Only with", self.context)
        form.addRow("Note", self.note)
        form.addRow("", self.follow_button)
        self.follow_status = QLabel(self)  # what the last follow did
        self.follow_status.setWordWrap(True)
        form.addRow("", self.follow_status)
        for signal in (
            self.name.textChanged,
            self.context.textChanged,
            self.aliases.textChanged,
            self.case_aliases.textChanged,
            self.prefixes.textChanged,
            self.note.textChanged,
            self.kind.currentIndexChanged,
            self.weight.valueChanged,
        ):
            signal.connect(self._on_field_changed)

    def _fields(self) -> tuple[QWidget, ...]:
        return (
            self.name,
            self.kind,
            self.weight,
            self.aliases,
            self.case_aliases,
            self.prefixes,
            self.context,
            self.note,
            self.follow_button,
        )

    def show_entry(self, entry: Entry | None) -> None:
        """Fill the fields from `entry`; None empties and disables them (no entry selected)."""
        blockers = [QSignalBlocker(w) for w in self._fields()]
        for widget in self._fields():
            widget.setEnabled(entry is not None)
        entry = entry or Entry(name="", kind="keyword")
        self.name.setText(entry.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(entry.kind)))
        self.weight.setValue(entry.weight)
        self.aliases.setPlainText("\n".join(entry.aliases))
        self.case_aliases.setPlainText("\n".join(entry.case_sensitive_aliases))
        self.prefixes.setPlainText("\n".join(entry.prefixes))
        self.context.setText(", ".join(entry.context))
        self.note.setPlainText(entry.note)
        del blockers

    def entry(self) -> Entry:
        """The entry as the fields now say it."""
        return Entry(
            name=self.name.text().strip(),
            kind=str(self.kind.currentData()),
            aliases=_lines(self.aliases.toPlainText()),
            case_sensitive_aliases=_lines(self.case_aliases.toPlainText()),
            prefixes=_lines(self.prefixes.toPlainText()),
            weight=float(self.weight.value()),
            context=_names(self.context.text()),
            note=self.note.toPlainText().strip(),
        )

    def focus_name(self) -> None:
        self.name.setFocus()
        self.name.selectAll()

    def _on_field_changed(self, *_args: object) -> None:
        self.edited.emit()
