"""Watchlist ▸ Propose a watchlist change…: the change the analyst's judgements call for, and what it does.

The proposal is weighed over every stored article on the task runner (progress in the status bar and in the
dialog); the dialog then shows the change, the counts, and the lists of the highlights it adds and removes and
of the judged articles it fixes, each article opened in the window by a double click or Enter. Apply saves the
watchlist and re-scores as an edit in the watchlist editor does, then lists the judged articles that still
disagree. Nothing here reads the store or runs the matcher on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from monitor.core.learning.proposal import Disagreement, Listed, Proposal
from monitor.ui.bridge import Bridge
from monitor.ui.status import StatusPanel

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

WORKING = "Weighing a watchlist change"


class ProposalDialog(QDialog):
    """Computes a proposal when shown (or on Propose again), shows it, applies it on Apply."""

    def __init__(
        self,
        bridge: Bridge,
        status: StatusPanel,
        open_article: Callable[[int], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.status = status
        self.open_article = open_article
        self.proposal: Proposal | None = None
        self.busy = False
        self.setWindowTitle("Propose a watchlist change — Vigie")
        self.resize(820, 560)
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.headline.setStyleSheet("font-weight: bold;")
        self.effect = QLabel(self)
        self.effect.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.lists = QTabWidget(self)
        self.added = self._list("added")
        self.removed = self._list("removed")
        self.fixed = self._list("fixed")
        self.broken = self._list("broken")
        self.disagreeing = self._list("disagreeing")
        hint = QLabel(
            "Double-click an article, or select it and press Enter, to open it in the window.", self
        )
        hint.setObjectName("hint")
        buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton("&Apply", self)
        self.apply_button.setToolTip("Save this change to the watchlist and re-score every article")
        self.again_button = QPushButton("&Propose again", self)
        # Not AcceptRole: the button box would make it the default button, which Enter presses.
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        # Enter in a list opens the article; the list passes the key on, and it must not press Apply.
        for button in (self.apply_button, self.again_button, close):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.apply_button.clicked.connect(self.apply)
        self.again_button.clicked.connect(self.compute)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.effect)
        layout.addWidget(self.progress)
        layout.addWidget(self.lists, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self._show_lists([])
        self.apply_button.setEnabled(False)

    def _list(self, name: str) -> QListWidget:
        view = QListWidget(self)
        view.hide()  # shown when a tab holds it
        view.setObjectName(name)
        view.setAlternatingRowColors(True)
        # itemActivated is a double click or Enter, whichever the platform uses to activate.
        view.itemActivated.connect(lambda item: self.open_article(int(item.data(Qt.ItemDataRole.UserRole))))
        return view

    # -- computing ------------------------------------------------------------------------------------------

    def compute(self) -> None:
        """Ask the runner for a proposal; progress in the status bar and here."""
        if self.busy:
            return
        self.busy = True
        self.proposal = None
        self.apply_button.setEnabled(False)
        self.again_button.setEnabled(False)
        self.headline.setText("Weighing the changes your judgements call for over every stored article…")
        self.effect.setText("")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.bridge.propose_watchlist_change(self._proposed, self._progress, self._failed)

    def _progress(self, done: int, total: int) -> None:
        self.status.work_progress(f"{WORKING}: {done} of {total} articles…", done, total)
        if isValid(self):
            self.progress.setRange(0, max(1, total))
            self.progress.setValue(done)

    def _failed(self, words: str) -> None:
        self.status.work_finished()
        self.status.show_error(words)
        if isValid(self):
            self.busy = False
            self.progress.setVisible(False)
            self.again_button.setEnabled(True)
            self.headline.setText(words)

    def _proposed(self, proposal: Proposal) -> None:
        self.status.work_finished()
        if not isValid(self):
            return
        self.busy = False
        self.proposal = proposal
        self.progress.setVisible(False)
        self.again_button.setEnabled(True)
        self.headline.setText(proposal.headline)
        self.effect.setText("\n".join(proposal.effect_lines()))
        self.apply_button.setEnabled(proposal.change is not None)
        if proposal.change is None:
            self._show_lists(
                [(self.disagreeing, "Judged articles it disagrees with", proposal.disagreements)]
            )
        else:
            self._show_lists(
                [
                    (self.added, "Highlights added", proposal.added),
                    (self.removed, "Highlights removed", proposal.removed),
                    (self.fixed, "Judged: fixed", proposal.fixed),
                    (self.broken, "Judged: now at odds", proposal.broken),
                ]
            )

    # -- applying -------------------------------------------------------------------------------------------

    def apply(self) -> None:
        """Save the change and re-score (status-bar progress as for an edit); then list what still disagrees."""
        proposal = self.proposal
        if proposal is None or proposal.change is None or self.busy:
            return
        if not self.bridge.apply_proposal(proposal, self._applied):
            return  # a re-score is running: the status bar says so
        self.busy = True
        self.apply_button.setEnabled(False)
        self.again_button.setEnabled(False)
        self.headline.setText(f"Applying: {proposal.change.description}…")

    def _applied(self, left: tuple[Disagreement, ...] | None) -> None:
        if not isValid(self):
            return
        self.busy = False
        self.again_button.setEnabled(True)
        if left is None:  # the bridge put the reason in the status bar
            self.headline.setText("The change could not be applied; the status bar says why.")
            return
        change = self.proposal.change if self.proposal else None
        self.proposal = None
        done = f"Applied: {change.description}." if change else "Applied."
        if left:
            self.headline.setText(f"{done} {len(left)} judged articles still disagree with the watchlist.")
        else:
            self.headline.setText(f"{done} The watchlist now agrees with every judged article.")
        self.effect.setText("Propose again to look for the next change." if left else "")
        self._show_lists([(self.disagreeing, "Judged articles that still disagree", left)])

    # -- the lists ------------------------------------------------------------------------------------------

    def _show_lists(self, shown: Sequence[tuple[QListWidget, str, Sequence[Listed | Disagreement]]]) -> None:
        self.lists.clear()
        for view, label, articles in shown:
            view.clear()
            for article in articles:
                text = (
                    article.line() if isinstance(article, Disagreement) else f"[{article.id}] {article.title}"
                )
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, article.id)
                item.setToolTip(text)
                view.addItem(item)
            self.lists.addTab(view, f"{label} ({len(articles)})")


def show_proposal_dialog(window: MainWindow) -> ProposalDialog:
    """Open the window's proposal dialog (one per window) and compute a fresh proposal."""
    dialog = getattr(window, "_proposal_dialog", None)
    if dialog is None or not isValid(dialog):
        dialog = ProposalDialog(window.bridge, window.status, lambda i: window.open_article(i, ""), window)
        window._proposal_dialog = dialog  # type: ignore[attr-defined]
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.compute()
    return dialog
