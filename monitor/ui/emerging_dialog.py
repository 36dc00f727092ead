"""Emerging names (issue 17): the names of the highlighted new items that the watchlist lacks, ranked, with
their evidence; Add puts one on the watchlist (then the usual re-score), Dismiss forgets it for good. The
names are worked out on the task runner (VigieCore.signals.emerging), never on the GUI thread."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import UserError, describe_error
from monitor.core.signals.emerging import EmergingName
from monitor.core.support.clock import iso, utc_now
from monitor.ui.bridge import Bridge
from monitor.ui.style import TEXT_MUTED

log = logging.getLogger(__name__)

COLUMNS = ("Name", "Kind", "Score", "Articles", "This week", "With")
# Which highlighted articles are read: those published in the last ... (the first is the default).
PERIODS = (("the last four weeks", 28), ("the last 90 days", 90), ("the last year", 365), ("all time", None))
ALL_TIME = "1970-01-01"


class EmergingDialog(QDialog):
    """The ranked names | the selected one's evidence; Add (Ctrl+Return) and Dismiss (Delete) below.

    Signals:
        show_articles(list): "Show articles" on a name: the window lists them.
    """

    show_articles = Signal(list)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Emerging names")
        self.resize(1000, 560)
        self._bridge = bridge
        self.names: list[EmergingName] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_evidence)
        self.evidence = QTextBrowser()
        self.evidence.setOpenLinks(False)
        self.status = QLabel("")
        self.status.setStyleSheet(f"color:{TEXT_MUTED};")
        self.add_button = QPushButton("&Add to watchlist")
        self.add_button.setToolTip("Add the name with its aliases, kind and context rule (Ctrl+Return)")
        self.add_button.clicked.connect(self.add_selected)
        self.dismiss_button = QPushButton("&Dismiss")
        self.dismiss_button.setToolTip("Never propose this name again (Delete)")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.show_button = QPushButton("&Show articles")
        self.show_button.clicked.connect(self._show_selected_articles)
        refresh = QPushButton("&Refresh")
        refresh.clicked.connect(self.reload)
        self.span = (
            QComboBox()
        )  # the highlighted articles read: published in the last ... (all time: every one)
        for label, days in PERIODS:
            self.span.addItem(label, days)
        self.span.currentIndexChanged.connect(lambda _i: self.reload())
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.evidence)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.span)
        for button in (refresh, self.show_button, self.dismiss_button, self.add_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.add_selected)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, self.dismiss_selected)
        self._enable(False)

    def reload(self) -> None:
        """Work the names out again on the runner."""
        self.status.setText("Reading the highlighted articles…")
        signals = self._bridge.core.signals
        days = self.span.currentData()
        since = iso(utc_now() - timedelta(days=days)) if days else ALL_TIME
        self._bridge.runner.submit(
            lambda _p: signals.emerging(since),
            on_result=self.show_names,
            on_error=self._failed,
            name="emerging",
        )

    def show_names(self, names: list[EmergingName]) -> None:
        self.names = list(names)
        self.table.setRowCount(len(self.names))
        for row, name in enumerate(self.names):
            company = ", ".join(f"{e} ({n})" for e, n in name.with_entries[:3])
            values = (
                name.name,
                name.kind,
                f"{name.score:.1f}",
                str(name.articles),
                str(name.this_week),
                company,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column in (2, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        count = len(self.names)
        period = self.span.currentText()
        self.status.setText(
            f"{count} name{'s' if count != 1 else ''} in the highlighted articles of {period}"
            if count
            else f"No emerging names in the highlighted articles of {period}."
        )
        if self.names:
            self.table.selectRow(0)
        else:
            self.evidence.clear()
            self._enable(False)

    def selected(self) -> EmergingName | None:
        rows = self.table.selectionModel().selectedRows()
        return self.names[rows[0].row()] if rows and rows[0].row() < len(self.names) else None

    def add_selected(self) -> None:
        name = self.selected()
        if name is None:
            return
        if self._bridge.rescoring:
            self.status.setText("A re-score is running; add the name when it ends.")
            return
        try:  # the watchlist's own checks (a name it already has under another spelling, say)
            watchlist = self._bridge.core.watchlist.with_entry(name.to_entry())
        except UserError as exc:
            self.status.setText(f"Cannot add {name.name}: {describe_error(exc)}")
            return
        self._remove(name)
        self.status.setText(f"Adding {name.name}; the articles are re-scored (status bar).")
        self._bridge.replace_watchlist(watchlist)

    def dismiss_selected(self) -> None:
        name = self.selected()
        if name is None:
            return
        self._remove(name)
        signals = self._bridge.core.signals
        self._bridge.runner.submit(
            lambda _p: signals.dismiss_emerging(name.name),
            on_result=lambda _r: self.status.setText(f"{name.name} will not be proposed again."),
            on_error=self._failed,
            name="dismiss_emerging",
        )

    # -- inside ---------------------------------------------------------------------------------------------

    def _remove(self, name: EmergingName) -> None:
        row = self.names.index(name)
        self.names.pop(row)
        self.table.removeRow(row)
        if not self.names:
            self.evidence.clear()
            self._enable(False)

    def _enable(self, on: bool) -> None:
        for button in (self.add_button, self.dismiss_button, self.show_button):
            button.setEnabled(on)

    def _show_selected_articles(self) -> None:
        name = self.selected()
        if name is not None:
            self.show_articles.emit(list(name.article_ids))

    def _show_evidence(self) -> None:
        name = self.selected()
        self._enable(name is not None)
        if name is None:
            return
        aliases = ", ".join(escape(a) for a in (*name.aliases, *name.case_sensitive_aliases))
        company = (
            "".join(f"<li>{escape(e)}: {n} articles</li>" for e, n in name.with_entries) or "<li>none</li>"
        )
        context = (
            f"<p><b>Context rule</b> (the name is ambiguous): counts only with {escape(', '.join(name.context))}</p>"
            if name.context
            else ""
        )
        examples = "".join(f"<li>{escape(x)}</li>" for x in name.examples)
        trend = "rising" if name.rising else "steady"
        self.evidence.setHtml(
            f"<h3>{escape(name.name)}</h3><p>Proposed kind: <b>{escape(name.kind)}</b> · {trend}: "
            f"{name.this_week} articles this week, {name.weekly_before:.1f} a week before · "
            f"{name.articles} highlighted articles in all</p>"
            f"<p><b>Aliases</b>: {aliases}</p>{context}"
            f"<p><b>Appears with</b></p><ul>{company}</ul><p><b>Where</b></p><ul>{examples}</ul>"
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"Could not work out the names: {describe_error(exc)}")
        log.error("emerging names failed: %s", exc)
