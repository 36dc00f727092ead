"""Feed records: subscriptions, their settings and the bookkeeping of each fetch."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.core.models import Feed
from monitor.core.storage.db import transaction
from monitor.core.storage.rows import feed_from_row
from monitor.core.support.clock import iso, utc_now


@dataclass
class FeedState:
    """What one fetch did to a feed's bookkeeping."""

    status: int | None
    error: str | None
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    retry_not_before: str | None = None  # a server's Retry-After deadline; None clears the last one
    title: str | None = None
    disabled_reason: str | None = None


class FeedRecords:
    """The feeds table (mixed into Store)."""

    conn: sqlite3.Connection  # the calling thread's connection (Store.conn)

    def add_feed(self, url: str, title: str = "", interval_minutes: int = 15) -> tuple[Feed, bool]:
        """Subscribe; returns (feed, created). An existing URL is returned as is."""
        existing = self.feed_by_url(url)
        if existing:
            return existing, False
        now = iso(utc_now())
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO feeds(url, title, interval_minutes, created) VALUES (?, ?, ?, ?)",
                (url, title, max(1, int(interval_minutes)), now),
            )
        feed = self.get_feed(int(cur.lastrowid or 0))
        assert feed is not None
        return feed, True

    def add_feeds(self, feeds: Iterable[tuple[str, str]], interval_minutes: int = 15) -> int:
        """Subscribe to many at once, all or nothing; returns how many were new."""
        now = iso(utc_now())
        added = 0
        with transaction(self.conn):
            for url, title in feeds:
                cur = self.conn.execute(
                    "INSERT OR IGNORE INTO feeds(url, title, interval_minutes, created) VALUES (?, ?, ?, ?)",
                    (url, title, interval_minutes, now),
                )
                added += cur.rowcount
        return added

    def get_feed(self, feed_id: int) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return feed_from_row(row) if row else None

    def feed_by_url(self, url: str) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return feed_from_row(row) if row else None

    def list_feeds(self) -> list[Feed]:
        rows = self.conn.execute("SELECT * FROM feeds ORDER BY title COLLATE NOCASE, url").fetchall()
        return [feed_from_row(r) for r in rows]

    def remove_feed(self, feed_id: int) -> None:
        with transaction(self.conn):
            self.conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def update_feed_settings(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        interval_minutes: int | None = None,
        enabled: bool | None = None,
        muted: bool | None = None,
    ) -> None:
        sets: list[str] = []
        args: list[object] = []
        for column, value in (
            ("title", title),
            ("interval_minutes", None if interval_minutes is None else max(1, int(interval_minutes))),
            ("enabled", None if enabled is None else int(enabled)),
            ("muted", None if muted is None else int(muted)),
        ):
            if value is not None:
                sets.append(f"{column} = ?")
                args.append(value)
        if enabled:
            sets.append("disabled_reason = NULL")
            sets.append("consecutive_failures = 0")
            sets.append("retry_not_before = NULL")
        if not sets:
            return
        with transaction(self.conn):
            self.conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE id = ?", (*args, feed_id))

    def record_fetch(self, feed_id: int, state: FeedState, fetched_at: str) -> None:
        """Store what a poll learnt about a feed: status, error, validators, failures in a row, the server's
        Retry-After deadline. `fetched_at` is the attempt's time, successful or not: the scheduler counts the
        feed's next poll from it (monitor.core.polling.due)."""
        with transaction(self.conn):
            self.conn.execute(
                """UPDATE feeds SET last_status = ?, last_error = ?, last_fetched = ?,
                       etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                       consecutive_failures = ?, retry_not_before = ?,
                       title = CASE WHEN title = '' AND ? IS NOT NULL THEN ? ELSE title END,
                       enabled = CASE WHEN ? IS NOT NULL THEN 0 ELSE enabled END,
                       disabled_reason = COALESCE(?, disabled_reason)
                   WHERE id = ?""",
                (
                    state.status,
                    state.error,
                    fetched_at,
                    state.etag,
                    state.last_modified,
                    state.consecutive_failures,
                    state.retry_not_before,
                    state.title,
                    state.title,
                    state.disabled_reason,
                    state.disabled_reason,
                    feed_id,
                ),
            )
