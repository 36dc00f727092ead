"""The sidebar's numbers (views, folders, feeds and their health, watchlist entries), counted on a worker."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer, Signal

from monitor.core.models import Feed
from monitor.core.support.folder_paths import FolderPath, format_folder_path
from monitor.ui.bridge import Bridge
from monitor.ui.sidebar_rows import FIXED_VIEWS, SidebarRows, Target, feeds_under, sidebar_rows

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

    def feeds_under(self, path: FolderPath) -> list[Feed]:
        """The feeds of a folder's subtree, as last counted."""
        return feeds_under(self.feeds, path)

    @property
    def folders(self) -> list[FolderPath]:
        """Every folder shown (the feeds' folders and the empty ones), parents first."""
        return [r.target.folder for r in self.rows.feeds if r.target.kind == "folder"]


def target_label(target: Target, counts: SidebarCounts | None) -> str:
    """What the list's title calls a sidebar target (a feed by its title in the last count, not the store)."""
    if target.kind == "entry":
        return f"Watchlist: {target.entry}"
    if target.kind == "folder":
        return format_folder_path(target.folder)
    if target.kind == "feed":
        feed = counts.feed(target.feed_id) if counts is not None else None
        return (feed.title or feed.url) if feed else "Feed"
    return dict((v, label) for v, label, _ in FIXED_VIEWS).get(target.view, "Articles")


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
            self._count_again = True  # one more count after this one lands: it may predate the change
            return
        self._counting = True
        core = self._bridge.core
        store = core.store
        entries = core.watchlist.entries

        def count(_progress: object) -> SidebarCounts:
            feeds, folders = store.list_feeds(), core.folders()
            views, by_feed, by_entry = store.view_counts(), store.unread_by_feed(), store.unread_by_entry()
            highlighted, spiking = core.highlighted_unread_by_feed(), core.signals.spiking_entries()
            rows = sidebar_rows(views, feeds, by_feed, entries, by_entry, highlighted, folders, spiking)
            return SidebarCounts(views, feeds, rows)

        self._bridge.runner.submit(
            count, on_result=self._landed, on_error=self._failed, name="sidebar_counts"
        )

    def _landed(self, counts: SidebarCounts) -> None:
        self._counting = False
        self.counts = counts
        self.counted.emit(counts)
        if self._count_again:
            # After the burst, not at once: counted back to back while the analyst opens article after article
            # (each marks one read), the counts kept a core busy with GROUP BYs over the whole store, which the
            # GUI thread then waited for (docs/BENCHMARKS.md, section 13, run 18).
            self._count_again = False
            self.later.start()

    def _failed(self, exc: BaseException) -> None:
        self._counting = False
        self._count_again = False
        log.error("could not count the articles for the sidebar: %s", exc)
