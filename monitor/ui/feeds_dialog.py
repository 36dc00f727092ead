"""The feeds dialog: subscribe (a page leads to its feed), remove, change the interval, OPML, feed health."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.core.models import Feed
from monitor.core.polling.due import due_time
from monitor.core.polling.health import Health, feed_health
from monitor.core.service import VigieCore
from monitor.core.support.clock import iso, utc_now
from monitor.ui import opml_files
from monitor.ui.bridge import Bridge
from monitor.ui.icons import dot_icon
from monitor.ui.questions import ask_yes_no
from monitor.ui.style import HEALTH_COLOURS, format_date

log = logging.getLogger(__name__)

COLUMNS = ["Feed", "Every", "Status", "Last fetch", "Next poll", "Error", "Address"]
COL_NAME, COL_INTERVAL, COL_STATUS, COL_LAST, COL_NEXT, COL_ERROR, COL_URL = range(len(COLUMNS))


class FeedsDialog(QDialog):
    """A non-modal window over the feeds table. Every read and change goes through the bridge, off the GUI
    thread; `refreshed` says the table shows the feeds as last read."""

    refreshed = Signal()

    def __init__(
        self,
        core: VigieCore,
        bridge: Bridge,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.core = core
        self.bridge = bridge
        self.confirm = confirm or self._ask
        self.setWindowTitle("Feeds — Vigie")
        self.resize(1080, 520)
        self._feeds: list[Feed] = []

        self.url = QLineEdit(self)
        self.url.setPlaceholderText("Feed address, or the address of a page that links its feed (https://…)")
        self.add_button = QPushButton("Add", self)
        self.add_button.setDefault(True)
        self.add_status = QLabel(self)
        self.add_status.setWordWrap(True)
        self.add_status.setTextFormat(Qt.TextFormat.PlainText)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in (
            (COL_NAME, 220),
            (COL_INTERVAL, 70),
            (COL_STATUS, 110),
            (COL_LAST, 110),
            (COL_NEXT, 110),
            (COL_URL, 240),
        ):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)

        self.interval = QSpinBox(self)
        self.interval.setRange(1, 24 * 60)
        self.interval.setSuffix(" min")
        self.apply_interval = QPushButton("Set interval", self)
        self.enable_button = QPushButton("Disable", self)
        self.full_text = QCheckBox("Fetch the &full article", self)
        self.full_text.setToolTip(
            "Fetch the page of each new or changed item and keep its main text (matched and searched like the "
            "feed's own); pages that fail leave the item as it was"
        )
        self.poll_button = QPushButton("Poll this feed", self)
        self.remove_button = QPushButton("Remove…", self)
        self.import_button = QPushButton("Import OPML…", self)
        self.export_button = QPushButton("Export OPML…", self)
        close = QPushButton("Close", self)
        close.setAutoDefault(False)

        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("Add:", self))
        add_row.addWidget(self.url, 1)
        add_row.addWidget(self.add_button)
        selected_row = QHBoxLayout()
        selected_row.addWidget(QLabel("Selected feed: poll every", self))
        selected_row.addWidget(self.interval)
        selected_row.addWidget(self.apply_interval)
        selected_row.addSpacing(12)
        selected_row.addWidget(self.enable_button)
        selected_row.addWidget(self.full_text)
        selected_row.addWidget(self.poll_button)
        selected_row.addWidget(self.remove_button)
        selected_row.addStretch(1)
        selected_row.addWidget(self.import_button)
        selected_row.addWidget(self.export_button)
        selected_row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(add_row)
        layout.addWidget(self.add_status)
        layout.addWidget(self.table, 1)
        layout.addLayout(selected_row)

        self.add_button.clicked.connect(self.add)
        self.url.returnPressed.connect(self.add)
        self.apply_interval.clicked.connect(self._set_interval)
        self.enable_button.clicked.connect(self._toggle_enabled)
        self.full_text.clicked.connect(self._toggle_full_text)
        self.poll_button.clicked.connect(self._poll_selected)
        self.remove_button.clicked.connect(self._remove_selected)
        self.import_button.clicked.connect(lambda: self.import_opml())
        self.export_button.clicked.connect(lambda: self.export_opml())
        close.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self._select_next: int | None = None  # a feed just added: selected when the table is read again
        bridge.feeds_changed.connect(self.refresh)
        self.refresh()

    # -- table ----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the feeds again on a worker; the table follows when they land (`refreshed`)."""
        self.bridge.load_feeds(self._show_feeds)

    def _show_feeds(self, feeds: list[Feed]) -> None:
        selected = self.selected_feed()
        selected_id = (
            self._select_next if self._select_next is not None else selected.id if selected else None
        )
        self._select_next = None
        self._feeds = feeds
        self.table.setRowCount(len(self._feeds))
        for row, feed in enumerate(self._feeds):
            health = feed_health(feed)
            status = health.label
            if health.state is Health.OK and feed.last_status:
                status += f" ({feed.last_status})"
            elif health.state is Health.FAILING:
                status += f" ({feed.consecutive_failures}×)"
            error = feed.last_error or (feed.disabled_reason if not feed.enabled else "") or ""
            cells = [
                feed.title or "(untitled)",
                f"{feed.interval_minutes} min",
                status,
                format_date(feed.last_fetched) or "never",
                format_date(iso(due_time(feed) or utc_now())) if feed.enabled else "—",
                error,
                feed.url,
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(health.words if column == COL_STATUS else text)
                if column == COL_STATUS:
                    item.setIcon(dot_icon(HEALTH_COLOURS[health.state], hollow=health.state is Health.NEVER))
                self.table.setItem(row, column, item)
            self.table.item(row, COL_NAME).setData(Qt.ItemDataRole.UserRole, feed.id)
        if selected_id is not None:
            self.select_feed(selected_id)
        self._on_selection()
        self.refreshed.emit()

    def selected_feed(self) -> Feed | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._feeds):
            return None
        return self._feeds[rows[0].row()]

    def select_feed(self, feed_id: int) -> None:
        for row, feed in enumerate(self._feeds):
            if feed.id == feed_id:
                self.table.selectRow(row)

    def _on_selection(self) -> None:
        feed = self.selected_feed()
        for widget in (
            self.interval,
            self.apply_interval,
            self.enable_button,
            self.full_text,
            self.poll_button,
            self.remove_button,
        ):
            widget.setEnabled(feed is not None)
        if feed is not None:
            self.interval.setValue(feed.interval_minutes)
            self.full_text.setChecked(feed.full_text)
            self.enable_button.setText("Disable" if feed.enabled else "Enable")

    # -- adding ---------------------------------------------------------------------------------------------

    def focus_add(self) -> None:
        self.url.setFocus()
        self.url.selectAll()

    def add(self) -> None:
        """Check the typed address in the background, then subscribe (and poll the new feed)."""
        url = self.url.text().strip()
        if not url:
            self.add_status.setText("Type or paste a feed address first.")
            return
        self.add_button.setEnabled(False)
        self.add_status.setText(f"Checking {url}…")
        self.bridge.add_feed(url, self._added)

    def _added(self, feed: Feed | None, message: str) -> None:
        self.add_button.setEnabled(True)
        self.add_status.setText(message)
        if feed is not None:
            self.url.clear()
            self._select_next = feed.id
            self.refresh()

    # -- the selected feed ----------------------------------------------------------------------------------

    def _set_interval(self) -> None:
        feed = self.selected_feed()
        if feed is not None:
            self.bridge.update_feed(feed.id, interval_minutes=self.interval.value())

    def _toggle_enabled(self) -> None:
        feed = self.selected_feed()
        if feed is not None:
            self.bridge.update_feed(feed.id, enabled=not feed.enabled)

    def _toggle_full_text(self, checked: bool) -> None:
        feed = self.selected_feed()
        if feed is not None:
            self.bridge.set_full_text(feed.id, checked)

    def _poll_selected(self) -> None:
        feed = self.selected_feed()
        if feed is not None:
            self.bridge.poll_now([feed])

    def _remove_selected(self) -> None:
        feed = self.selected_feed()
        if feed is None:
            return
        if self.confirm(f"Remove {feed.title or feed.url} and the articles it brought?"):
            self.bridge.remove_feed(feed.id)

    def _ask(self, question: str) -> bool:
        return ask_yes_no(self, "Remove feed", question)

    # -- OPML -----------------------------------------------------------------------------------------------

    def import_opml(self, path: Path | None = None) -> None:
        opml_files.import_opml(self, self.bridge, path)

    def export_opml(self, path: Path | None = None) -> None:
        opml_files.export_opml(self, self.bridge, path)
