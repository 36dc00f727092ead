"""The case view (Cases ▸ Cases…, Ctrl+Shift+C): the analyst's cases, each item in time order with its
highlights, the notes and tags, and the report export. Adding to a case is case_pin.py's.

Every read and write goes through VigieCore on the task runner; the item pages (HTML) are built there too.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import describe_error
from monitor.core.evidence.cases import CaseView
from monitor.core.models import Case, CaseItem
from monitor.ui.questions import ask_yes_no
from monitor.ui.style import format_date

if TYPE_CHECKING:
    from monitor.ui.main_window import MainWindow

log = logging.getLogger(__name__)

REPORT_FILTERS = {
    "pdf": "PDF documents (*.pdf)",
    "odt": "OpenDocument text (*.odt)",
    "html": "Web pages (*.html)",
}


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


class Work:
    """Runs core calls on the window's task runner; failures go to the status bar in words."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def run(
        self,
        name: str,
        call: Callable[[], Any],
        then: Callable[[Any], None],
        failure: str,
        *,
        write: bool = False,
    ) -> None:
        status = self.window.status

        def failed(exc: BaseException) -> None:
            status.work_finished()
            status.show_error(f"{failure}: {describe_error(exc)}")

        self.window.bridge.runner.submit(
            lambda _p: call(), on_result=then, on_error=failed, serial=write, name=name
        )


class CaseViewDialog(QDialog):
    """Cases on the left; the chosen case's note, items (time order), the item's highlights, note and tags."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("caseView")
        self.setWindowTitle("Cases")
        self.resize(1180, 760)
        self.window_ = window
        self.core = window.core
        self.work = Work(window)
        self.shown: CaseView | None = None
        self._wanted_case: int | None = None

        self.case_list = QListWidget(self)
        self.case_list.setObjectName("caseList")
        new_case = QPushButton("&New case…", self)
        rename = QPushButton("Re&name…", self)
        delete = QPushButton("Delete", self)
        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(QLabel("Cases", self))
        left_box.addWidget(self.case_list, 1)
        buttons = QHBoxLayout()
        for button in (new_case, rename, delete):
            buttons.addWidget(button)
        left_box.addLayout(buttons)

        self.title = QLabel(self)
        self.title.setObjectName("caseTitle")
        self.case_note = QPlainTextEdit(self)
        self.case_note.setPlaceholderText("The case's note: what it is about, for whom, what is established.")
        self.case_note.setMaximumHeight(90)
        save_case_note = QPushButton("Save case note", self)
        self.items = QTreeWidget(self)
        self.items.setObjectName("caseItems")
        self.items.setHeaderLabels(["Published", "Outlet", "Title", "Tags", "Note"])
        self.items.setRootIsDecorated(False)
        self.items.setColumnWidth(0, 110)
        self.items.setColumnWidth(1, 140)
        self.items.setColumnWidth(2, 320)
        self.page = QTextBrowser(self)
        self.page.setObjectName("caseItemPage")
        self.page.setOpenLinks(False)
        self.page.anchorClicked.connect(self._open_link)
        self.item_note = QPlainTextEdit(self)
        self.item_note.setPlaceholderText("Your note on this item")
        self.item_note.setMaximumHeight(70)
        self.item_tags = QLineEdit(self)
        self.item_tags.setPlaceholderText("tags, separated by commas")
        save_item = QPushButton("&Save item", self)
        remove_item = QPushButton("&Remove from case", self)
        export_buttons = [QPushButton(f"Export {fmt.upper()}…", self) for fmt in REPORT_FILTERS]

        middle = QSplitter(Qt.Orientation.Vertical, self)
        middle.addWidget(self.items)
        middle.addWidget(self.page)
        middle.setSizes([260, 420])
        right = QWidget(self)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        note_row = QHBoxLayout()
        note_row.addWidget(self.case_note, 1)
        note_row.addWidget(save_case_note, 0, Qt.AlignmentFlag.AlignTop)
        right_box.addWidget(self.title)
        right_box.addLayout(note_row)
        right_box.addWidget(middle, 1)
        form = QFormLayout()
        form.addRow("Note", self.item_note)
        form.addRow("Tags", self.item_tags)
        right_box.addLayout(form)
        actions = QHBoxLayout()
        actions.addWidget(save_item)
        actions.addWidget(remove_item)
        actions.addStretch(1)
        for button in export_buttons:
            actions.addWidget(button)
        right_box.addLayout(actions)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([260, 920])
        box = QVBoxLayout(self)
        box.addWidget(split)

        self.case_list.currentItemChanged.connect(lambda *_: self._load_case())
        self.items.currentItemChanged.connect(lambda *_: self._show_item())
        new_case.clicked.connect(self.new_case)
        rename.clicked.connect(self.rename_case)
        delete.clicked.connect(self.delete_case)
        save_case_note.clicked.connect(self.save_case_note)
        save_item.clicked.connect(self.save_item)
        remove_item.clicked.connect(self.remove_item)
        for fmt, button in zip(REPORT_FILTERS, export_buttons, strict=True):
            button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_item)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.items, self.remove_item)
        QShortcut(QKeySequence("Ctrl+P"), self, lambda: self.export("pdf"))

    # -- loading --------------------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        """Read the cases (on the runner) and show them; `select` a case id, else keep the current one."""
        self._wanted_case = select if select is not None else self.current_case_id()
        self.work.run("cases", self.core.cases, self._show_cases, "Could not read the cases")

    def _show_cases(self, cases: list[Case]) -> None:
        self.case_list.blockSignals(True)
        self.case_list.clear()
        chosen = 0
        for row, case in enumerate(cases):
            entry = QListWidgetItem(f"{case.name}  ({case.items})")
            entry.setData(Qt.ItemDataRole.UserRole, case.id)
            self.case_list.addItem(entry)
            if case.id == self._wanted_case:
                chosen = row
        self.case_list.blockSignals(False)
        if cases:
            self.case_list.setCurrentRow(chosen)
            self._load_case()
        else:
            self.shown = None
            self.title.setText("No case yet: pin an article with Articles ▸ Add to case… (Shift+C).")
            self.items.clear()
            self.page.clear()

    def current_case_id(self) -> int | None:
        entry = self.case_list.currentItem()
        return None if entry is None else int(entry.data(Qt.ItemDataRole.UserRole))

    def _load_case(self) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            return
        self.work.run(
            "case_view", lambda: self.core.case_view(case_id), self._show_case, "Could not read the case"
        )

    def _show_case(self, view: CaseView) -> None:
        if view.case.id != self.current_case_id():
            return  # the analyst chose another case meanwhile
        kept = self.current_item().id if self.current_item() else None
        self.shown = view
        self.title.setText(f"<b>{html.escape(view.case.name)}</b> · {len(view.items)} items, in time order")
        self.case_note.setPlainText(view.case.note)
        self.items.clear()
        for item in view.items:
            article = item.article
            when = (article.published or article.fetched) if article else item.added
            row = QTreeWidgetItem(
                [
                    format_date(when),
                    item.outlet,
                    article.title if article else f"Story {item.story_id}",
                    ", ".join(item.tags),
                    " ".join(item.note.split()),
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            self.items.addTopLevelItem(row)
        rows = [i.id for i in view.items]
        self.items.setCurrentItem(self.items.topLevelItem(rows.index(kept) if kept in rows else 0))
        if not rows:
            self.page.setHtml("<p>This case holds no item yet.</p>")

    def current_item(self) -> CaseItem | None:
        row = self.items.currentItem()
        if row is None or self.shown is None:
            return None
        return self.shown.items[self.items.indexOfTopLevelItem(row)]

    def _show_item(self) -> None:
        item = self.current_item()
        if item is None or self.shown is None:
            return
        self.page.setHtml(self.shown.pages[self.shown.items.index(item)])
        self.item_note.setPlainText(item.note)
        self.item_tags.setText(", ".join(item.tags))

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            self.window_.reader.open_url(url)

    # -- the analyst's changes ------------------------------------------------------------------------------

    def _changed(self, words: str) -> Callable[[Any], None]:
        def done(_result: object) -> None:
            self.window_.status.show_message(words)
            self.reload()

        return done

    def save_case_note(self) -> None:
        case_id, note = self.current_case_id(), self.case_note.toPlainText()
        if case_id is not None:
            self.work.run(
                "case_note", lambda: self.core.update_case(case_id, note=note), self._changed("Case note saved."),
                "Could not save the case note", write=True,
            )  # fmt: skip

    def save_item(self) -> None:
        item = self.current_item()
        if item is None:
            return
        note, tags = self.item_note.toPlainText(), split_tags(self.item_tags.text())
        self.work.run(
            "case_item", lambda: self.core.update_case_item(item.id, note=note, tags=tags),
            self._changed("Item note and tags saved."), "Could not save the item", write=True,
        )  # fmt: skip

    def remove_item(self) -> None:
        item = self.current_item()
        if item is None or not self._confirm("Take this item out of the case? Its note and tags go with it."):
            return
        self.work.run(
            "unpin", lambda: self.core.remove_case_item(item.id), self._changed("Item taken out of the case."),
            "Could not remove the item", write=True,
        )  # fmt: skip

    def new_case(self) -> None:
        name, ok = QInputDialog.getText(self, "New case", "Name of the case:")
        if ok and name.strip():
            self.work.run(
                "new_case", lambda: self.core.create_case(name), lambda case: self.reload(case.id),
                "Could not create the case", write=True,
            )  # fmt: skip

    def rename_case(self) -> None:
        case_id = self.current_case_id()
        if case_id is None or self.shown is None:
            return
        name, ok = QInputDialog.getText(self, "Rename the case", "New name:", text=self.shown.case.name)
        if ok and name.strip():
            self.work.run(
                "rename_case", lambda: self.core.update_case(case_id, name=name), self._changed("Case renamed."),
                "Could not rename the case", write=True,
            )  # fmt: skip

    def delete_case(self) -> None:
        case_id = self.current_case_id()
        if case_id is None or not self._confirm("Delete this case with its notes? The articles stay."):
            return
        self.work.run(
            "delete_case", lambda: self.core.delete_case(case_id), self._changed("Case deleted."),
            "Could not delete the case", write=True,
        )  # fmt: skip

    def _confirm(self, question: str) -> bool:
        confirm = self.window_.confirm or (lambda text: ask_yes_no(self, "Cases", text))
        return confirm(question)

    # -- reports --------------------------------------------------------------------------------------------

    def export(self, fmt: str, path: Path | None = None) -> None:
        """Write the case's report as PDF, ODT or HTML (asks where unless `path`), on the runner."""
        if self.shown is None:
            return
        case = self.shown.case
        if path is None:
            suggested = Path.home() / f"{case.name.replace('/', '-')}.{fmt}"
            name, _ = QFileDialog.getSaveFileName(
                self, f"Export the case as {fmt.upper()}", str(suggested), REPORT_FILTERS[fmt]
            )
            if not name:
                return
            path = Path(name)
        export_case_report(self.window_, case, fmt, path)


def export_case_report(window: MainWindow, case: Case, fmt: str, path: Path) -> None:
    """The report of `case` written on the runner, the status bar busy meanwhile."""
    core, status = window.core, window.status

    def write() -> Path:
        from monitor.reports.render import render_report  # Qt's PDF and ODT writers, loaded on first use

        return render_report(core.case_report_html(case.id), fmt, path, f"Case report: {case.name}")

    def done(written: Path) -> None:
        status.work_finished()
        status.show_message(f"Wrote the {fmt.upper()} report of {case.name!r} to {written}.")

    status.work_progress(f"Writing the {fmt.upper()} report of {case.name}…")
    Work(window).run("case_report", write, done, f"Could not write the {fmt.upper()} report")


def show_case_view(window: MainWindow) -> CaseViewDialog:
    dialog = window.findChild(CaseViewDialog)
    if dialog is None:
        dialog = CaseViewDialog(window)
    dialog.reload()
    dialog.show()
    dialog.raise_()
    return dialog
