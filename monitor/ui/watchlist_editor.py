"""The watchlist editor: entries with aliases, kind, weight and context; a live test area; save and re-score.

The editor works on a copy of the entries and of the scope (watchlist_scope.py, the line above the columns),
the entries shown in three columns: the entry list (watchlist_entries.py),
the form for the selected entry (watchlist_form.py) and the test pane (watchlist_test_pane.py), which tries
the copy on a pasted text or the selected article on the task runner. Saving hands the list to the bridge,
which writes it and re-scores every article in the background.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from monitor.core.matching.watchlist import Entry, Watchlist, WatchlistError
from monitor.core.models import Assessment
from monitor.core.service import VigieCore
from monitor.ui.bridge import Bridge
from monitor.ui.questions import ask_yes_no
from monitor.ui.watchlist_entries import EntryList
from monitor.ui.watchlist_form import EntryForm
from monitor.ui.watchlist_scope import ScopeField
from monitor.ui.watchlist_test_pane import ArticleProvider, MatchTestPane

log = logging.getLogger(__name__)


class WatchlistEditor(QDialog):
    """A non-modal editor over a copy of the watchlist."""

    def __init__(
        self,
        core: VigieCore,
        bridge: Bridge,
        parent: QWidget | None = None,
        *,
        current_article: ArticleProvider | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = bridge
        self.confirm = confirm or self._ask
        self.setWindowTitle("Watchlist — Vigie")
        self.resize(1240, 760)
        self.entries: list[Entry] = []
        self.dirty = False
        self.saving = False
        self._index = -1

        self.entry_list = EntryList(self)
        self.scope = ScopeField(self)
        self.form = EntryForm(self)
        self.test_pane = MatchTestPane(
            bridge,
            draft=self._draft_or_none,
            threshold=lambda: self.core.matcher.threshold,
            current_article=current_article or (lambda: None),
            parent=self,
        )
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.entry_list)
        splitter.addWidget(self.form)
        splitter.addWidget(self.test_pane)
        splitter.setSizes([280, 440, 520])
        splitter.setChildrenCollapsible(False)

        self.error = QLabel(self)
        self.error.setObjectName("editorError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(220)
        self.save_button = QPushButton("Save and re-score", self)
        self.save_button.setDefault(True)
        self.revert_button = QPushButton("Revert", self)
        self.close_button = QPushButton("Close", self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scope)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.entry_list.row_changed.connect(self._on_row)
        self.entry_list.add_button.clicked.connect(lambda: self.add_entry())
        self.entry_list.remove_button.clicked.connect(self.remove_entry)
        self.form.edited.connect(self._on_form_changed)
        self.scope.edited.connect(self._on_scope_changed)
        self.form.follow_button.clicked.connect(self.follow_in_news_search)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.load)
        self.close_button.clicked.connect(self.close)
        # Checking a scope needs the gazetteer: built now on the runner, never on the GUI thread.
        bridge.load_places()
        bridge.rescore_progress.connect(self._on_progress)
        bridge.rescore_finished.connect(self._on_saved)
        self.load()

    @property
    def last_assessment(self) -> Assessment | None:
        """What the test pane last showed."""
        return self.test_pane.last_assessment

    # -- the list -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Start again from the saved watchlist."""
        self.entries = list(self.core.watchlist.entries)
        self.scope.set_places(self.core.watchlist.scope)
        self._fill_list()
        self.entry_list.set_current_row(0 if self.entries else -1)
        self.dirty = False
        self._validate()
        self.run_test()

    def _fill_list(self) -> None:
        self.entry_list.fill(self.entries)

    def select(self, name: str) -> bool:
        for row, entry in enumerate(self.entries):
            if entry.name == name:
                self.entry_list.set_current_row(row)
                return True
        return False

    def _on_row(self, row: int) -> None:
        self._index = row
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        self.form.show_entry(entry)
        self.entry_list.remove_button.setEnabled(entry is not None)

    def _on_form_changed(self) -> None:
        if not 0 <= self._index < len(self.entries):
            return
        old = self.entries[self._index]
        new = self.form.entry()
        if old.name and new.name != old.name:
            # A renamed entry keeps the contexts that named it...
            self.entries = [
                dataclasses.replace(e, context=tuple(new.name if c == old.name else c for c in e.context))
                for e in self.entries
            ]
            # ... and so does the scope, when it names the entry (a place entry).
            places = self.scope.places()
            if old.name in places:
                self.scope.set_places([new.name if p == old.name else p for p in places])
        self.entries[self._index] = new
        self.entry_list.update_row(self._index, new)
        self.dirty = True
        self._validate()
        self.test_pane.schedule()

    def _on_scope_changed(self) -> None:
        self.dirty = True
        self._validate()
        self.test_pane.schedule()

    def add_entry(self, name: str = "New entry", kind: str = "keyword") -> None:
        taken = {e.name.casefold() for e in self.entries}
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate, n = f"{name} {n}", n + 1
        self.entries.append(Entry(name=candidate, kind=kind))
        self.entry_list.clear_filter()
        self._fill_list()
        self.entry_list.set_current_row(len(self.entries) - 1)
        self.dirty = True
        self._validate()
        self.form.focus_name()

    def remove_entry(self) -> None:
        row = self._index
        if not 0 <= row < len(self.entries):
            return
        del self.entries[row]
        self._fill_list()
        self.entry_list.set_current_row(min(row, len(self.entries) - 1))
        self.dirty = True
        self._validate()
        self.test_pane.schedule()

    def follow_in_news_search(self) -> None:
        """Follow the selected entry in news search as the form shows it (saved or not); the result shows
        under the button and in the main window's status bar."""
        if 0 <= self._index < len(self.entries):
            self.bridge.follow_in_news_search(
                self.entries[self._index], entry=True, then=self.form.follow_status.setText
            )

    # -- checking and testing -------------------------------------------------------------------------------

    def draft(self) -> Watchlist:
        """The edited list as a Watchlist; raises WatchlistError saying what is wrong."""
        return Watchlist(tuple(self.entries), self.core.watchlist.version, self.scope.places())

    def _draft_or_none(self) -> Watchlist | None:
        """The edited list for the test pane, or None while it is invalid; the message under the list is
        _validate's alone (the pane testing after a save must not replace "Saved: … re-scored")."""
        try:
            return self.draft()
        except WatchlistError:
            return None

    def _validate(self) -> Watchlist | None:
        """Check the edited list and say so under it; the list when valid, else None."""
        try:
            watchlist = self.draft()
        except WatchlistError as exc:
            self.error.setText(f"⚠ {exc}")
            self.save_button.setEnabled(False)
            return None
        self.error.setText(
            f"{len(watchlist)} entries, {watchlist.alias_count()} terms"
            + (" — not saved yet" if self.dirty else "")
        )
        self.save_button.setEnabled(not self.saving)
        return watchlist

    def test_selected_article(self) -> None:
        """Test the article selected in the main window with the edited list."""
        self.test_pane.test_selected_article()

    def run_test(self) -> None:
        """Test now (without waiting for a pause in typing); the result shows when the runner is done."""
        self.test_pane.run_test()

    # -- saving ---------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the edited list; the bridge re-scores every article in the background."""
        watchlist = self._validate()
        if watchlist is None or self.saving:
            return False
        self.saving = True
        self.save_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.error.setText("Saving and re-scoring…")
        if not self.bridge.replace_watchlist(watchlist):
            self.saving = False
            self.progress.setVisible(False)
            self._validate()
            return False
        return True

    def _on_progress(self, done: int, total: int) -> None:
        if self.saving:
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)

    def _on_saved(self, count: int) -> None:
        if not self.saving:
            return
        self.saving = False
        self.progress.setVisible(False)
        if count >= 0:
            self.dirty = False
            self.entries = list(self.core.watchlist.entries)
            self.scope.set_places(self.core.watchlist.scope)
            self._validate()
            self.error.setText(f"Saved: {len(self.entries)} entries; {count} articles re-scored.")
        else:
            self._validate()
            self.error.setText("⚠ Saving failed; see the status bar of the main window.")

    # -- closing --------------------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.dirty and not self.saving and not self.confirm("Discard the changes to the watchlist?"):
            event.ignore()
            return
        if self.dirty and not self.saving:
            self.load()
        super().closeEvent(event)

    def _ask(self, question: str) -> bool:
        return ask_yes_no(self, "Watchlist", question)
