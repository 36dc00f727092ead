"""The timeline chart (issue 17): bars of articles per hour, day or week, one colour per entry, entries side
by side within a period. Clicking a bar says which entry and period it is (the window then filters the list).

pyqtgraph draws it with QtWidgets alone (it runs on PySide6-Essentials); it is imported when the chart is
first built, not at start-up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from monitor.core.signals.timeline import PERIOD_LENGTH, TimelineRow

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # never another binding that happens to be installed
import pyqtgraph as pg

log = logging.getLogger(__name__)

# Distinct, readable on white, in the order entries are added.
PALETTE = ("#2f6fb3", "#d9822b", "#3a9a5b", "#b8434b", "#7d5bb5", "#8c6d46", "#c25aa5", "#5f6670")


class TimelineChart(QWidget):
    """Bars per period for one or several entries.

    Signals:
        bar_clicked(str, str, str): the entry, and the period's start and end (UTC ISO 8601) of a clicked bar.
    """

    bar_clicked = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=True, background="w", foreground="#1d2127")
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setLabel("left", "articles")
        self.plot.addLegend(offset=(10, 10))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self._entries: list[str] = []
        self._by = "day"
        self._bars: dict[tuple[int, float], int] = {}  # (entry index, period start) -> count

    @property
    def entries(self) -> list[str]:
        return list(self._entries)

    def show_rows(self, rows: Sequence[TimelineRow], entries: Sequence[str], by: str) -> None:
        """Draw `rows` (from VigieCore.signals.timeline) for `entries`, in that order, by `by`."""
        self.plot.clear()
        legend = self.plot.plotItem.legend
        if legend is not None:
            legend.clear()
        self._entries, self._by, self._bars = list(entries), by, {}
        width = PERIOD_LENGTH[by].total_seconds()
        slot = width * 0.85 / max(1, len(self._entries))
        for index, entry in enumerate(self._entries):
            starts = [_seconds(r.start) for r in rows if r.entry == entry]
            counts = [r.count for r in rows if r.entry == entry]
            self._bars.update({(index, s): c for s, c in zip(starts, counts, strict=True)})
            colour = PALETTE[index % len(PALETTE)]
            x = [s + width * 0.075 + slot * (index + 0.5) for s in starts]
            bars = pg.BarGraphItem(x=x, height=counts, width=slot * 0.9, brush=colour, pen=pg.mkPen(colour))
            self.plot.addItem(bars)
            if legend is not None:
                legend.addItem(bars, f"{entry} ({sum(counts)})")
        self.plot.enableAutoRange()

    def bar_at(self, x: float, y: float) -> tuple[str, str, str] | None:
        """The (entry, start, end) of the bar under the view point (x seconds, y count), if any."""
        width = PERIOD_LENGTH[self._by].total_seconds()
        slot = width * 0.85 / max(1, len(self._entries))
        for (index, start), count in self._bars.items():
            left = start + width * 0.075 + slot * index
            if left <= x < left + slot and 0 <= y <= max(count, 0.5):
                begin = datetime.fromtimestamp(start, tz=UTC)
                return self._entries[index], begin.isoformat(), (begin + PERIOD_LENGTH[self._by]).isoformat()
        return None

    def click_bar(self, entry: str, start: str) -> bool:
        """Click the bar of `entry` starting at `start` as the mouse would (keyboard users and tests)."""
        index = self._entries.index(entry) if entry in self._entries else -1
        key = (index, _seconds(start))
        if key not in self._bars:
            return False
        width = PERIOD_LENGTH[self._by].total_seconds()
        slot = width * 0.85 / max(1, len(self._entries))
        found = self.bar_at(key[1] + width * 0.075 + slot * (index + 0.5), 0.1)
        if found:
            self.bar_clicked.emit(*found)
        return found is not None

    def _clicked(self, event: object) -> None:
        pos = event.scenePos()  # type: ignore[attr-defined]
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        point: QPointF = self.plot.plotItem.vb.mapSceneToView(pos)
        found = self.bar_at(point.x(), point.y())
        if found:
            self.bar_clicked.emit(*found)


def _seconds(iso_start: str) -> float:
    return datetime.fromisoformat(iso_start).timestamp()
