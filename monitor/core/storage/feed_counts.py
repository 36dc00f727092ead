"""Per-feed counts the sidebar sums into its folders' counts (one query for every feed, none per folder)."""

from __future__ import annotations

import sqlite3


def highlighted_unread_by_feed(conn: sqlite3.Connection) -> dict[int | None, int]:
    """Unread highlighted articles per feed id (None for the seeds)."""
    # The ids come from the covering articles_counts index, in rowid order, so the table is read in one
    # forward pass for the few highlighted rows; a plain WHERE walks articles_unread and reads every unread
    # row of the table instead.
    rows = conn.execute(
        """SELECT feed_id, count(*) FROM articles
           WHERE id IN (SELECT id FROM articles WHERE read = 0 AND highlighted = 1) GROUP BY feed_id"""
    )
    return {r[0]: r[1] for r in rows}
