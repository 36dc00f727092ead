"""Feed records: subscriptions, their settings and the bookkeeping of each fetch."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.core.models import Feed, Subscription
from monitor.core.storage.db import transaction
from monitor.core.storage.folders import FolderRecords
from monitor.core.storage.rows import feed_from_row
from monitor.core.support.clock import iso, utc_now
from monitor.core.support.folder_paths import FolderPath, clean_path


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


@dataclass(frozen=True)
class ImportCounts:
    """What subscribing to a list of feeds did: feeds added, feeds already there, folders created."""

    added: int
    existing: int
    folders_created: int


class FeedRecords(FolderRecords):
    """The feeds table, and the folders they live in (mixed into Store)."""

    conn: sqlite3.Connection  # the calling thread's connection (Store.conn)

    def add_feed(
        self,
        url: str,
        title: str = "",
        interval_minutes: int = 15,
        folder: Iterable[str] = (),
        site_url: str | None = None,
    ) -> tuple[Feed, bool]:
        """Subscribe in `folder` (created if missing); returns (feed, created). An existing URL is returned as
        is: its folder and settings do not change."""
        existing = self.feed_by_url(url)
        if existing:
            return existing, False
        now = iso(utc_now())
        with transaction(self.conn):
            folder_id, _ = self.ensure_folder(folder)
            cur = self.conn.execute(
                """INSERT INTO feeds(url, title, interval_minutes, created, folder_id, site_url)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (url, title, max(1, int(interval_minutes)), now, folder_id, site_url),
            )
        feed = self.get_feed(int(cur.lastrowid or 0))
        assert feed is not None
        return feed, True

    def import_subscriptions(
        self,
        subscriptions: Iterable[Subscription],
        interval_minutes: int = 15,
        folders: Iterable[FolderPath] = (),
    ) -> ImportCounts:
        """Create the folders (in their order), then subscribe to each feed in its folder, all or nothing.

        A feed already subscribed keeps its folder, title and settings (the analyst's organisation wins over the
        file's); only a missing site URL is filled in. Folders of the same path are one folder, so importing
        the same file twice adds nothing.
        """
        now = iso(utc_now())
        added = existing = folders_created = 0
        folder_ids: dict[FolderPath, int | None] = {}
        with transaction(self.conn):
            for path in folders:
                folder_ids[clean_path(path)], created = self.ensure_folder(path)
                folders_created += created
            for sub in subscriptions:
                row = self.conn.execute("SELECT id FROM feeds WHERE url = ?", (sub.url,)).fetchone()
                if row is not None:
                    existing += 1
                    if sub.site_url:
                        self.conn.execute(
                            "UPDATE feeds SET site_url = ? WHERE id = ? AND site_url IS NULL",
                            (sub.site_url, row[0]),
                        )
                    continue
                path = clean_path(sub.folder)
                if path not in folder_ids:
                    folder_ids[path], created = self.ensure_folder(path)
                    folders_created += created
                self.conn.execute(
                    """INSERT INTO feeds(url, title, interval_minutes, muted, created, folder_id, site_url)
                       VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    (
                        sub.url,
                        sub.title,
                        max(1, int(sub.interval_minutes or interval_minutes)),
                        int(sub.muted),
                        now,
                        folder_ids[path],
                        sub.site_url,
                    ),
                )
                added += 1
        return ImportCounts(added, existing, folders_created)

    def add_feeds(self, feeds: Iterable[tuple[str, str]], interval_minutes: int = 15) -> int:
        """Subscribe to many at once, all or nothing; returns how many were new."""
        now = iso(utc_now())
        added = 0
        with transaction(self.conn):
            for url, title in feeds:
                cur = self.conn.execute(
                    "INSERT INTO feeds(url, title, interval_minutes, created) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (url, title, interval_minutes, now),
                )
                added += cur.rowcount
        return added

    def get_feed(self, feed_id: int) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return feed_from_row(row, self.folder_path(row["folder_id"])) if row else None

    def feed_by_url(self, url: str) -> Feed | None:
        row = self.conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return feed_from_row(row, self.folder_path(row["folder_id"])) if row else None

    def list_feeds(self, order: str = "title") -> list[Feed]:
        """Every feed, by title (the default) or by id ("id": the order they were subscribed in)."""
        by = "id" if order == "id" else "title COLLATE NOCASE, url"
        rows = self.conn.execute(f"SELECT * FROM feeds ORDER BY {by}").fetchall()
        paths = self.folder_paths_by_id() if rows else {}
        return [feed_from_row(r, paths.get(r["folder_id"], ())) for r in rows]

    def feeds_in_folder(self, path: Iterable[str]) -> list[Feed]:
        """The feeds of the folder at `path` and of all its sub-folders, by title; () gives every feed, and a
        path with no folder gives none."""
        prefix = clean_path(path)
        return [f for f in self.list_feeds() if f.folder[: len(prefix)] == prefix]

    def set_muted(self, feed_ids: Iterable[int], muted: bool) -> int:
        """Mute (or unmute) the feeds' alerts; returns how many feeds changed. Muting also withdraws the alerts
        their items already carry (the sidebar's alert count, the last poll's list); unmuting restores none."""
        ids = list(feed_ids)
        with transaction(self.conn):
            cur = self.conn.executemany(
                "UPDATE feeds SET muted = ? WHERE id = ? AND muted <> ?",
                [(int(muted), i, int(muted)) for i in ids],
            )
            changed = max(0, cur.rowcount)
            if muted:
                self.conn.executemany(
                    "UPDATE articles SET alert = 0 WHERE alert = 1 AND feed_id = ?", [(i,) for i in ids]
                )
        return changed

    def set_interval(self, feed_ids: Iterable[int], minutes: int) -> int:
        """Set the feeds' polling interval (at least 1 minute); returns how many feeds exist among the ids."""
        with transaction(self.conn):
            cur = self.conn.executemany(
                "UPDATE feeds SET interval_minutes = ? WHERE id = ?",
                [(max(1, int(minutes)), i) for i in feed_ids],
            )
        return max(0, cur.rowcount)

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
            if muted:  # as set_muted: a muted feed's items are no longer alerts
                self.conn.execute("UPDATE articles SET alert = 0 WHERE alert = 1 AND feed_id = ?", (feed_id,))

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
            if state.consecutive_failures == 0:  # a success: feed health shows when the feed last worked
                self.conn.execute("UPDATE feeds SET last_success = ? WHERE id = ?", (fetched_at, feed_id))
