"""The watchlist editor's scope field: the places where the story happens, comma-separated.

The editor checks the names when the analyst presses Enter or leaves the field (not at every key): a name
the gazetteer does not know shows as an error under the list, naming it, and the saved list stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

log = logging.getLogger(__name__)

HELP = (
    "Places where the story happens: countries, regions, cities, continents (French or English names) or the "
    "names of place entries. Topics and keywords count only in items located there, or naming a watched "
    "person or organisation, or located nowhere else. A country covers its regions, cities and overseas "
    "territories; a continent covers only itself. Empty: the whole world."
)


def split_places(text: str) -> tuple[str, ...]:
    """ "France, Antwerp ,, Europe" -> ("France", "Antwerp", "Europe")."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


class ScopeField(QWidget):
    """A labelled line of comma-separated places; ``edited`` once the analyst is done typing."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("&Scope:", self)
        self.line = QLineEdit(self)
        self.line.setObjectName("watchlistScope")
        self.line.setPlaceholderText("the whole world (e.g. France, Antwerp, Rotterdam, Europe)")
        self.line.setClearButtonEnabled(True)
        self.line.setToolTip(HELP)
        self.label.setToolTip(HELP)
        self.label.setBuddy(self.line)  # Alt+S
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.line, 1)
        self._shown: tuple[str, ...] = ()
        self.line.editingFinished.connect(self._on_done)

    def set_places(self, places: Sequence[str]) -> None:
        """Show ``places`` without announcing an edit."""
        self._shown = tuple(places)
        self.line.setText(", ".join(places))

    def places(self) -> tuple[str, ...]:
        return split_places(self.line.text())

    def _on_done(self) -> None:
        if self.places() != self._shown:
            self._shown = self.places()
            self.edited.emit()
