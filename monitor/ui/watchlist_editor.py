"""The watchlist editor: entries with aliases, kind, weight and context; a live test area; save and re-score.

The editor works on a copy of the entries. The test area compiles that copy into a Matcher on each pause in
typing (a few milliseconds for a hundred entries) and shows which aliases match the pasted text or the
selected
article. Saving hands the list to the bridge, which writes it and re-scores every article in the background.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from monitor.core.matching.matcher import Matcher
from monitor.core.matching.watchlist import KINDS, Entry, Watchlist, WatchlistError
from monitor.core.models import Article, Assessment
from monitor.core.service import VigieCore
from monitor.ui.bridge import Bridge
from monitor.ui.icons import dot_icon
from monitor.ui.reader import ReaderView
from monitor.ui.reader_html import article_html, explanation_html, paragraphs_html
from monitor.ui.style import KIND_DOTS, TEXT_MUTED

log = logging.getLogger(__name__)

TEST_DELAY_MS = 250
ArticleProvider = Callable[[], Article | None]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


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
        self.current_article = current_article or (lambda: None)
        self.confirm = confirm or self._ask
        self.setWindowTitle("Watchlist — Vigie")
        self.resize(1240, 760)
        self.entries: list[Entry] = []
        self.dirty = False
        self.saving = False
        self._index = -1
        self._test_article: Article | None = None
        self.last_assessment: Assessment | None = None

        # Left: the entries.
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter entries")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.add_button = QPushButton("Add entry", self)
        self.remove_button = QPushButton("Remove", self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        left_layout.addLayout(buttons)

        # Middle: the selected entry.
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
        for edit, height in (
            (self.aliases, 110),
            (self.case_aliases, 60),
            (self.prefixes, 60),
            (self.note, 70),
        ):
            edit.setMinimumHeight(height)
            edit.setTabChangesFocus(True)
        form_widget = QWidget(self)
        form = QFormLayout(form_widget)
        form.setContentsMargins(6, 0, 6, 0)
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("Weight", self.weight)
        form.addRow("Aliases", self.aliases)
        form.addRow("Case-sensitive", self.case_aliases)
        form.addRow("Prefixes", self.prefixes)
        form.addRow("Only with", self.context)
        form.addRow("Note", self.note)

        # Right: the test area.
        self.test_input = QPlainTextEdit(self)
        self.test_input.setPlaceholderText("Paste a text here to see which entries and aliases match it…")
        self.use_article = QPushButton("Test the selected article", self)
        self.test_result = ReaderView(self)
        self.test_result.setObjectName("testResult")
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Test</b> — live, with the list as edited (not yet saved)", self)
        right_layout.addWidget(heading)
        right_layout.addWidget(self.test_input, 1)
        right_layout.addWidget(self.use_article)
        right_layout.addWidget(self.test_result, 3)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(form_widget)
        splitter.addWidget(right)
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
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self._test_timer = QTimer(self)
        self._test_timer.setSingleShot(True)
        self._test_timer.setInterval(TEST_DELAY_MS)
        self._test_timer.timeout.connect(self.run_test)

        self.list.currentRowChanged.connect(self._on_row)
        self.filter.textChanged.connect(self._apply_filter)
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button.clicked.connect(self.remove_entry)
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
            signal.connect(self._on_form_changed)
        self.test_input.textChanged.connect(self._on_test_input)
        self.use_article.clicked.connect(self.test_selected_article)
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.load)
        self.close_button.clicked.connect(self.close)
        bridge.rescore_progress.connect(self._on_progress)
        bridge.rescore_finished.connect(self._on_saved)
        self.load()

    # -- the list -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Start again from the saved watchlist."""
        self.entries = list(self.core.watchlist.entries)
        self._fill_list()
        self.list.setCurrentRow(0 if self.entries else -1)
        self.dirty = False
        self._validate()
        self.run_test()

    def _fill_list(self) -> None:
        blocker = QSignalBlocker(self.list)
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(self._label(entry))
            item.setIcon(dot_icon(KIND_DOTS.get(entry.kind, TEXT_MUTED)))
            self.list.addItem(item)
        del blocker
        self._apply_filter(self.filter.text())

    @staticmethod
    def _label(entry: Entry) -> str:
        return f"{entry.name or '(no name)'}  ·  {entry.weight:g}"

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row, entry in enumerate(self.entries):
            haystack = " ".join(
                (entry.name, entry.kind, *entry.aliases, *entry.case_sensitive_aliases, *entry.prefixes)
            ).casefold()
            self.list.item(row).setHidden(bool(needle) and needle not in haystack)

    def select(self, name: str) -> bool:
        for row, entry in enumerate(self.entries):
            if entry.name == name:
                self.list.setCurrentRow(row)
                return True
        return False

    def _on_row(self, row: int) -> None:
        self._index = row
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        widgets = (
            self.name,
            self.kind,
            self.weight,
            self.aliases,
            self.case_aliases,
            self.prefixes,
            self.context,
            self.note,
        )
        blockers = [QSignalBlocker(w) for w in widgets]
        for widget in (*widgets, self.remove_button):
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

    def _form_entry(self) -> Entry:
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

    def _on_form_changed(self, *_args: object) -> None:
        if not 0 <= self._index < len(self.entries):
            return
        old = self.entries[self._index]
        new = self._form_entry()
        if old.name and new.name != old.name:
            # A renamed entry keeps the contexts that named it.
            self.entries = [
                dataclasses.replace(e, context=tuple(new.name if c == old.name else c for c in e.context))
                for e in self.entries
            ]
        self.entries[self._index] = new
        item = self.list.item(self._index)
        item.setText(self._label(new))
        item.setIcon(dot_icon(KIND_DOTS.get(new.kind, TEXT_MUTED)))
        self.dirty = True
        self._validate()
        self._test_timer.start()

    def add_entry(self, name: str = "New entry", kind: str = "keyword") -> None:
        taken = {e.name.casefold() for e in self.entries}
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate, n = f"{name} {n}", n + 1
        self.entries.append(Entry(name=candidate, kind=kind))
        self.filter.clear()
        self._fill_list()
        self.list.setCurrentRow(len(self.entries) - 1)
        self.dirty = True
        self._validate()
        self.name.setFocus()
        self.name.selectAll()

    def remove_entry(self) -> None:
        row = self._index
        if not 0 <= row < len(self.entries):
            return
        del self.entries[row]
        self._fill_list()
        self.list.setCurrentRow(min(row, len(self.entries) - 1))
        self.dirty = True
        self._validate()
        self._test_timer.start()

    # -- checking and testing -------------------------------------------------------------------------------

    def draft(self) -> Watchlist:
        """The edited list as a Watchlist; raises WatchlistError saying what is wrong."""
        return Watchlist(tuple(self.entries), self.core.watchlist.version)

    def _validate(self) -> Watchlist | None:
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

    def _on_test_input(self) -> None:
        self._test_article = None
        self._test_timer.start()

    def test_selected_article(self) -> None:
        article = self.current_article()
        if article is None:
            self.test_result.setHtml(
                f"<p style='color:{TEXT_MUTED};'>Select an article in the main window first.</p>"
            )
            return
        self._test_article = article
        self.run_test()

    def run_test(self) -> None:
        """Match the test text (or the chosen article) with the edited list and show the result."""
        self._test_timer.stop()
        watchlist = self._validate()
        if watchlist is None:
            self.test_result.setHtml(f"<p style='color:{TEXT_MUTED};'>Fix the list to test it.</p>")
            return
        matcher = Matcher(watchlist, highlight_threshold=self.core.matcher.threshold)
        article = self._test_article
        if article is not None:
            found = matcher.assess(article.title, article.summary, article.content)
            self.last_assessment = found
            tested = dataclasses.replace(
                article, matches=list(found.matches), score=found.score, highlighted=found.highlighted
            )
            self.test_result.setHtml(
                article_html(tested, source_label="Selected article", explanation=found.explanation)
                + _alias_table(found)
            )
            return
        text = self.test_input.toPlainText()
        if not text.strip():
            self.last_assessment = None
            self.test_result.setHtml(
                f"<p style='color:{TEXT_MUTED};'>Paste a text above, or test the article selected in the "
                "main "
                "window. Matches show in the colour of their kind; the score says whether it would be "
                "highlighted.</p>"
            )
            return
        found = matcher.assess("", "", text)
        self.last_assessment = found
        probe = Article(
            id=0,
            source="test",
            feed_id=None,
            guid=None,
            link=None,
            title="",
            summary="",
            content=text,
            content_html="",
            published=None,
            published_estimated=False,
            fetched="",
            lang=None,
            content_hash="",
            first_seen="",
            last_updated="",
            score=found.score,
            highlighted=found.highlighted,
            matches=list(found.matches),
        )
        self.test_result.setHtml(
            explanation_html(probe, found.explanation)
            + _alias_table(found)
            + "<hr>"
            + paragraphs_html(text, list(found.matches))
        )

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
        answer = QMessageBox.question(self, "Watchlist", question)
        return answer == QMessageBox.StandardButton.Yes


def _alias_table(found: Assessment) -> str:
    """Which written forms matched which entry, and where."""
    if not found.matches:
        return ""
    rows: dict[tuple[str, str], list[str]] = {}
    for m in found.matches:
        fields = rows.setdefault((m.text, m.entry), [])
        if m.field not in fields:
            fields.append(m.field)
    cells = "".join(
        f"<tr><td>«{html.escape(text)}»</td><td>→ {html.escape(entry)}</td>"
        f"<td style='color:{TEXT_MUTED};'>{html.escape(', '.join(fields))}</td></tr>"
        for (text, entry), fields in rows.items()
    )
    return f"<table cellspacing='2' cellpadding='2'>{cells}</table>"
