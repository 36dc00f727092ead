"""What each feed brought: items per day over a recent window, highlighted items, its latest item, in one query.

The feed health view and `vigie feeds health` read these figures for every feed at once. They come from one
statement over the articles_feed index (feed_id, published, highlighted: schema 8 made it covering), never
from a query per feed. Days are UTC calendar days of the items' published dates, as the store keeps them.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.core.support.clock import iso

log = logging.getLogger(__name__)

WINDOW_DAYS = 14


@dataclass(frozen=True)
class FeedActivity:
    """What one feed brought, as stored.

    Attributes:
        per_day: items published on each day of the window, oldest day first (the last is today, UTC).
        items: every stored item of the feed. highlighted: those the watchlist highlights.
        last_item: the latest published date among them (ISO 8601), None without a dated item.
    """

    per_day: tuple[int, ...]
    items: int
    highlighted: int
    last_item: str | None

    @property
    def recent(self) -> int:
        """Items in the window."""
        return sum(self.per_day)


def window_days(now: datetime, days: int = WINDOW_DAYS) -> list[date]:
    """The window's days, oldest first, ending on `now`'s UTC day."""
    today = datetime.fromisoformat(iso(now)).date()
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def empty_activity(days: int = WINDOW_DAYS) -> FeedActivity:
    return FeedActivity((0,) * days, 0, 0, None)


# Two parts, one statement, both on the covering index articles_feed (the wide rows are never read): each feed's
# totals from one scan in the index's order (no sort), then each (feed, day) of the window from a seek per feed on
# (feed_id, published >= since), which touches only the window's entries (CROSS JOIN keeps SQLite from
# driving it from the published index instead, which would read the wide rows). A totals row has day ''.
_ACTIVITY_SQL = """
SELECT feed_id, '' AS day, COUNT(*) AS items, SUM(highlighted) AS highlighted, MAX(published) AS last_item
FROM articles
WHERE feed_id IS NOT NULL
GROUP BY feed_id
UNION ALL
SELECT f.id, substr(a.published, 1, 10), COUNT(*), 0, NULL
FROM feeds f CROSS JOIN articles a ON a.feed_id = f.id AND a.published >= :since
GROUP BY f.id, 2
"""


def feed_activity(
    conn: sqlite3.Connection, now: datetime, days: int = WINDOW_DAYS
) -> dict[int, FeedActivity]:
    """Every feed's activity by feed id; a feed with no stored item is absent (see empty_activity).

    An item dated after today (a server's clock ahead of ours) counts on today.
    """
    window = window_days(now, days)
    slot = {d.isoformat(): i for i, d in enumerate(window)}
    last_slot = len(window) - 1
    totals: dict[int, tuple[int, int, str | None]] = {}
    counts: dict[int, list[int]] = {}
    for feed_id, day, items, highlighted, last_item in conn.execute(
        _ACTIVITY_SQL, {"since": window[0].isoformat()}
    ):
        if day:
            counts.setdefault(feed_id, [0] * days)[slot.get(day, last_slot)] += items
        else:
            totals[feed_id] = (items, highlighted or 0, last_item)
    return {
        feed_id: FeedActivity(tuple(counts.get(feed_id, [0] * days)), items, highlighted, last_item)
        for feed_id, (items, highlighted, last_item) in totals.items()
    }
