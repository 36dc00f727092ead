"""Feeds ▸ Follow words in news search…: a small dialog asking for the words, then the window's follow."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def ask_words_to_follow(window: MainWindow) -> QInputDialog:
    """Open (not exec: the window keeps running) a dialog for the words; OK follows them in news search."""
    dialog = QInputDialog(window)
    dialog.setObjectName("followWordsDialog")
    dialog.setWindowTitle("Follow words in news search — Vigie")
    dialog.setLabelText(
        "Words to follow in Google News, in French and in English (commas separate alternatives):"
    )
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setOkButtonText("Follow")

    def follow(words: str) -> None:
        if words.strip():
            window.follow_in_news_search(words, entry=False)

    dialog.textValueSelected.connect(follow)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
