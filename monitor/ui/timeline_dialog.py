"""The timeline window (issue 17): pick entries and a period; the chart shows how many articles (or stories) name
each.
Its counts are read on the task runner (VigieCore.signals.timeline), never on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from monitor.core.errors import describe_error
from monitor.core.signals.timeline import UNITS, TimelineRow
from monitor.core.support.clock import iso, utc_now
from monitor.ui.bridge import Bridge
from monitor.ui.style import TEXT_MUTED
from monitor.ui.timeline_chart import TimelineChart

log = logging.getLogger(__name__)

# How far back the chart looks (None: every article, the seeds included).
SPANS = (
    ("the last 7 days", 7),
    ("the last 30 days", 30),
    ("the last 90 days", 90),
    ("the last year", 365),
    ("all time", None),
)
MAX_ENTRIES = 8  # side by side: more bars than that per period cannot be read


class TimelineDialog(QDialog):
    """Entries (checkable, in watchlist order) | the chart; hour/day/week above.

    Signals:
        period_chosen(str, str, str): a bar was clicked: entry, period start and end (the window filters).
    """

    period_chosen = Signal(str, str, str)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timeline: the articles or stories naming each entry")
        self.resize(980, 560)
        self._bridge = bridge
        self.entries = QListWidget()
        self.entries.setMaximumWidth(260)
        self.entries.itemChanged.connect(lambda _item: self.reload())
        self.by = QComboBox()
        self.by.addItems(["hour", "day", "week"])
        self.by.setCurrentText("day")
        self.by.currentTextChanged.connect(lambda _t: self.reload())
        self.span = QComboBox()
        for label, days in SPANS:
            self.span.addItem(label, days)
        self.span.setCurrentIndex(1)
        self.span.currentIndexChanged.connect(lambda _i: self.reload())
        self.unit = QComboBox()
        self.unit.addItems(list(UNITS))  # articles, or the stories they belong to (core.stories)
        self.unit.currentTextChanged.connect(lambda _t: self.reload())
        self.chart = TimelineChart()
        self.chart.bar_clicked.connect(self.period_chosen)
        self.note = QLabel("")
        self.note.setStyleSheet(f"color:{TEXT_MUTED};")
        top = QHBoxLayout()
        top.addWidget(QLabel("Count"))
        top.addWidget(self.unit)
        top.addWidget(QLabel("per"))
        top.addWidget(self.by)
        top.addWidget(QLabel("over"))
        top.addWidget(self.span)
        top.addStretch(1)
        top.addWidget(self.note)
        split = QSplitter()
        split.addWidget(self.entries)
        split.addWidget(self.chart)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        hint = QLabel("Click a bar to list its articles. Ctrl+1/2/3: per hour, day, week.")
        hint.setStyleSheet(f"color:{TEXT_MUTED};")
        layout.addWidget(hint)
        for key, period in (("Ctrl+1", "hour"), ("Ctrl+2", "day"), ("Ctrl+3", "week")):
            QShortcut(QKeySequence(key), self, lambda p=period: self.by.setCurrentText(p))
        self._loading = False
        self._again = False
        self.rows: list[TimelineRow] = []

    # -- what it shows ----------------------------------------------------------------------------------------

    def set_entries(self, names: Sequence[str], checked: Sequence[str]) -> None:
        """The watchlist's entry names, those in `checked` ticked (the chart reloads once)."""
        self.entries.blockSignals(True)
        self.entries.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked)
            self.entries.addItem(item)
        self.entries.blockSignals(False)
        self.reload()

    def checked(self) -> list[str]:
        items = (self.entries.item(i) for i in range(self.entries.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked][:MAX_ENTRIES]

    def reload(self) -> None:
        """Read the counts again on the runner; the chart is redrawn when they land."""
        if self._loading:
            self._again = True
            return
        names, by, unit = self.checked(), self.by.currentText(), self.unit.currentText()
        days = self.span.currentData()
        since = iso(utc_now() - timedelta(days=days)) if days else None
        if not names:
            self.chart.show_rows([], [], by)
            self.note.setText("Tick one or more entries.")
            return
        self._loading = True
        self.note.setText("Counting…")
        signals = self._bridge.core.signals

        def count(_progress: object) -> list[TimelineRow]:
            return signals.timeline(names, by=by, since=since, unit=unit)

        self._bridge.runner.submit(
            count,
            on_result=lambda rows: self._landed(rows, names, by, unit),
            on_error=self._failed,
            name="timeline",
        )

    def _landed(self, rows: list[TimelineRow], names: list[str], by: str, unit: str = "articles") -> None:
        self._loading = False
        self.rows = rows
        self.chart.show_rows(rows, names, by)
        total = sum(r.count for r in rows)
        what = "article mentions" if unit == "articles" else "stories"
        self.note.setText(f"{total} {what} over {len({r.start for r in rows})} {by}s")
        if self._again:
            self._again = False
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        self.note.setText(f"Could not count: {describe_error(exc)}")
        log.error("timeline failed: %s", exc)
