"""The yes/no question a window asks the analyst before it does something that cannot be undone."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    """True when the analyst answers Yes."""
    return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes
