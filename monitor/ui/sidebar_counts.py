"""The sidebar's numbers (views, feeds and their health, watchlist entries), counted on a worker."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from monitor.core.models import Feed
from monitor.ui.bridge import Bridge
from monitor.ui.sidebar import SidebarRows, sidebar_rows

log = logging.getLogger(__name__)

COUNTS_DELAY_MS = 150


@dataclasses.dataclass(frozen=True)
class SidebarCounts:
    """The sidebar's numbers, counted on a worker thread."""

    views: Mapping[str, int]
    feeds: list[Feed]
    rows: SidebarRows  # what the sidebar shows, worked out with the counts

    def feed(self, feed_id: int | None) -> Feed | None:
        return next((f for f in self.feeds if f.id == feed_id), None)


class SidebarCounter(QObject):
    """Counts on the bridge's runner, one count at a time; a change during a count asks for one more.

    Signals:
        counted(SidebarCounts): a count landed (on the GUI thread).
    """

    counted = Signal(object)

    def __init__(self, bridge: Bridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._counting = False
        self._count_again = False
        self.counts: SidebarCounts | None = None  # the last count
        # Read and star changes come in bursts (J J J): one count after the burst, not one per key.
        self.later = QTimer(self)
        self.later.setSingleShot(True)
        self.later.setInterval(COUNTS_DELAY_MS)
        self.later.timeout.connect(self.refresh)

    def refresh(self) -> None:
        """Count again now (at 200,000 articles the counts take a few hundred milliseconds, on a worker)."""
        if self._counting:
            self._count_again = True  # one more count when this one lands: it may predate the change
            return
        self._counting = True
        store = self._bridge.core.store
        entries = self._bridge.core.watchlist.entries

        def count(_progress: object) -> SidebarCounts:
            feeds = store.list_feeds()
            views, by_feed, by_entry = store.view_counts(), store.unread_by_feed(), store.unread_by_entry()
            return SidebarCounts(views, feeds, sidebar_rows(views, feeds, by_feed, entries, by_entry))

        self._bridge.runner.submit(
            count, on_result=self._landed, on_error=self._failed, name="sidebar_counts"
        )

    def _landed(self, counts: SidebarCounts) -> None:
        self._counting = False
        self.counts = counts
        self.counted.emit(counts)
        if self._count_again:
            self._count_again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._counting = False
        self._count_again = False
        log.error("could not count the articles for the sidebar: %s", exc)
