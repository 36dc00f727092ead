"""Adding to a case from the list (issue 18): Articles ▸ Add to case… (Shift+C) and the list's context menu pin
the article in the reader, or, in the story mode (View ▸ Group by story), the story on the current row: every
report of it (VigieCore.add_story_to_case). A dialog asks which case (an existing one or a new name), with a
note and tags. Every read and write runs on the task runner."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QWidget,
)

from monitor.core.evidence.cases import Pinned
from monitor.core.models import Case, StoryRow
from monitor.ui.article_model import ID_ROLE, ROW_ROLE
from monitor.ui.case_view import CaseViewDialog, Work, split_tags

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class AddToCaseDialog(QDialog):
    """Which case (an existing one or a new name), with a note and tags for the pinned article or story."""

    def __init__(self, parent: QWidget, names: list[str], title: str, what: str = "article") -> None:
        super().__init__(parent)
        self.setObjectName("addToCase")
        self.setWindowTitle("Add to case")
        self.case = QComboBox(self)
        self.case.setEditable(True)
        self.case.addItems(names)
        self.case.lineEdit().setPlaceholderText("a case, or the name of a new one")
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(f"Why this {what} matters to the case")
        self.tags = QLineEdit(self)
        self.tags.setPlaceholderText("tags, separated by commas")
        shown = QLabel(title, self)
        shown.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(shown)
        form.addRow("&Case", self.case)
        form.addRow("&Note", self.note)
        form.addRow("&Tags", self.tags)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def current_story(window: MainWindow) -> StoryRow | None:
    """The story on the story mode's current row (None off story mode, or on one of its reports)."""
    mode = getattr(window, "story_mode", None)
    if mode is None or not mode.enabled:
        return None
    index = mode.tree.currentIndex()
    if not index.isValid() or index.parent().isValid():
        return None
    return mode.model.story_at(index.row())


def add_current_to_case(window: MainWindow) -> None:
    """Articles ▸ Add to case…: the story on the story mode's current row, else the article in the reader."""
    story = current_story(window)
    if story is not None:
        add_story_to_case(window, story)
        return
    article_id = window.current_article_id()
    if article_id is None:
        window.status.show_message("Open an article first, then add it to a case.")
        return
    title = window.reader.article.title if window.reader.article else f"Article {article_id}"
    add_article_to_case(window, article_id, title)


def add_article_to_case(window: MainWindow, article_id: int, title: str) -> None:
    def pin(name: str, note: str, tags: list[str]) -> Pinned:
        return window.core.add_to_case(name, [article_id], note=note, tags=tags)

    _ask_and_pin(window, title, "article", pin)


def add_story_to_case(window: MainWindow, story: StoryRow) -> None:
    """Pin every report of `story` (each kept whatever the retention) to a case asked in the dialog."""
    reports = f"{story.reports} report{'s' if story.reports != 1 else ''}"
    title = f"Story: {story.title} ({reports})"

    def pin(name: str, note: str, tags: list[str]) -> Pinned:
        return window.core.add_story_to_case(name, story.id, note=note, tags=tags)

    _ask_and_pin(window, title, "story", pin)


def _ask_and_pin(
    window: MainWindow, title: str, what: str, pin: Callable[[str, str, list[str]], Pinned]
) -> None:
    work = Work(window)

    def ask(cases: list[Case]) -> None:
        dialog = AddToCaseDialog(window, [c.name for c in cases], title, what)
        dialog.accepted.connect(lambda: accepted(dialog))
        dialog.open()

    def accepted(dialog: AddToCaseDialog) -> None:
        name, note = dialog.case.currentText(), dialog.note.toPlainText()
        tags = split_tags(dialog.tags.text())

        def done(pinned: Pinned) -> None:
            made = "new case " if pinned.created else ""
            if what == "story":
                said = f"Story added to {made}{pinned.case.name!r}: {len(pinned.added)} reports pinned"
                said += f", {len(pinned.already)} already in it" if pinned.already else ""
            else:
                said = f"Article {'added to' if pinned.added else 'already in'} {made}{pinned.case.name!r}"
            window.status.show_message(f"{said} ({pinned.case.items} items).")
            view = window.findChild(CaseViewDialog)
            if view is not None:
                view.reload()

        failure = f"Could not add the {what} to the case"
        work.run("add_to_case", lambda: pin(name, note, tags), done, failure, write=True)

    work.run("cases", window.core.cases, ask, "Could not read the cases")


def install_context_menus(window: MainWindow) -> None:
    """Right-click on an article row, a story row or a report: Add to case… (and, on articles, Compare
    versions… and Open link)."""
    view = window.view
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda pos: _article_menu(window, view, pos))
    mode = getattr(window, "story_mode", None)
    if mode is not None:
        tree = mode.tree
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(lambda pos: _story_menu(window, pos))


def article_menu(window: MainWindow, article_id: int, title: str) -> QMenu:
    menu = QMenu(window)
    menu.setObjectName("articleMenu")
    menu.addAction("Add to &case…", lambda: add_article_to_case(window, article_id, title))
    menu.addSeparator()
    menu.addAction(window.act_versions)
    menu.addAction(window.act_open_link)
    return menu


def story_menu(window: MainWindow, story: StoryRow) -> QMenu:
    menu = QMenu(window)
    menu.setObjectName("storyMenu")
    reports = f"{story.reports} report{'s' if story.reports != 1 else ''}"
    menu.addAction(f"Add story to &case… ({reports})", lambda: add_story_to_case(window, story))
    return menu


def _article_menu(window: MainWindow, view: QAbstractItemView, pos: QPoint) -> None:
    index = view.indexAt(pos)
    article_id = index.data(ID_ROLE) if index.isValid() else None
    if article_id is None:
        return
    row = index.data(ROW_ROLE)
    article_menu(window, int(article_id), row.title if row else f"Article {article_id}").popup(
        view.viewport().mapToGlobal(pos)
    )


def _story_menu(window: MainWindow, pos: QPoint) -> None:
    mode = window.story_mode  # type: ignore[attr-defined]
    index = mode.tree.indexAt(pos)
    if not index.isValid():
        return
    where = mode.tree.viewport().mapToGlobal(pos)
    report = mode.model.report_at(index)
    if report is not None:
        article_menu(window, report.id, report.title).popup(where)
        return
    story = mode.model.story_at(index.row()) if not index.parent().isValid() else None
    if story is not None:
        story_menu(window, story).popup(where)
