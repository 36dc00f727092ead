"""The story rows kept from the new reports alone (schema 24): after polls that add reports to stories (earlier,
later and at the same time as their first report), re-polls that change reports, a re-score and a poll into stories
marked stale, every row and every story's outlets are what a refresh from all the reports writes. A profile of
schema 23 gets its stories' outlets from its migration. Real polls of feeds served on 127.0.0.1, real SQLite (and
the session's PostgreSQL for the rows kept)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.core.matching.watchlist import Entry
from monitor.core.service import VigieCore
from monitor.core.storage import db
from monitor.core.storage.story_rows import refresh_story_rows
from monitor.paths import AppPaths
from tests.conftest import ServedFeed, serve_feed
from tests.core.stories import reports as r

ROWS = "SELECT * FROM stories ORDER BY id"
OUTLETS = "SELECT story, host FROM story_outlets ORDER BY story, host"


def _kept(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    return [tuple(row) for row in conn.execute(ROWS)], [tuple(row) for row in conn.execute(OUTLETS)]


def assert_rows_are_a_full_refresh(conn: sqlite3.Connection) -> None:
    """Every story row and outlet as grouping left them equals what refresh_story_rows writes (rolled back)."""
    kept = _kept(conn)
    assert conn.execute("SELECT count(*) FROM stories_stale").fetchone()[0] == 0
    conn.execute("BEGIN")
    try:
        refresh_story_rows(conn, [row[0] for row in conn.execute("SELECT id FROM stories")])
        refreshed = _kept(conn)
    finally:
        conn.execute("ROLLBACK")
    assert kept[0] == refreshed[0]
    assert kept[1] == refreshed[1]


def _at(report: r.Report, published: str, key: str) -> r.Report:
    return (key, report[1], published, report[3], report[4])


def test_rows_updated_from_new_reports_equal_a_full_refresh(
    data_dir: Path, database: str | None, httpserver
) -> None:  # type: ignore[no-untyped-def]
    """On both engines: PostgreSQL writes a batch's rows as arrays (story_rows._write_rows)."""
    core = VigieCore(AppPaths.resolve(data_dir), database=database)
    conn = core.store.conn
    feeds: dict[str, ServedFeed] = {}

    def poll(items: dict[str, list[r.Report]]) -> None:
        for name, reports in items.items():
            body = r.rss(reports, f"https://{name}.example.org")
            if name in feeds:
                feeds[name].body = body
            else:
                feeds[name] = ServedFeed(body)
                core.add_feed(serve_feed(httpserver, f"/{name}.xml", feeds[name]))
        core.poll()

    try:
        poll({"wire": [r.ORIGINAL, r.WEEK_LATER], "weekly": [r.COLUMN_ONE]})
        event = conn.execute("SELECT story FROM articles WHERE link LIKE '%/original'").fetchone()[0]
        assert_rows_are_a_full_refresh(conn)
        # Later reports, one at the first report's very time (a tie), one earlier (a new first report), and an
        # outlet the story already has.
        early = _at(r.REWRITE, "2026-02-10T12:30:00+00:00", "early")
        same_time = _at(r.REPRINT, r.ORIGINAL[2], "same-time")
        poll(
            {
                "wire": [r.ORIGINAL, r.WEEK_LATER, r.TRANSLATION],
                "agency": [same_time, early],
                "daily": [r.UPDATE],
            }
        )
        assert_rows_are_a_full_refresh(conn)
        row = conn.execute("SELECT title, reports, outlets FROM stories WHERE id = ?", (event,)).fetchone()
        assert tuple(row) == (r.REWRITE[3], 5, 3)
        # A re-poll: a report's new headline and a report moved to another link (its story marked stale).
        changed = (
            r.UPDATE[0],
            r.UPDATE[1],
            r.UPDATE[2],
            "Duchère : le passant blessé est sorti",
            r.UPDATE[4],
        )
        poll({"daily": [changed], "wire": [r.ORIGINAL, r.WEEK_LATER, r.TRANSLATION, r.SAME_PROSECUTOR]})
        with db.transaction(conn):
            conn.execute(
                "UPDATE articles SET link = 'https://mirror.example.net/x' WHERE link LIKE '%/early'"
            )
        assert [row[0] for row in conn.execute("SELECT story FROM stories_stale")] == [event]
        # New reports into the stale story: it is refreshed from all its reports, the others updated.
        afternoon = _at(r.REWRITE, "2026-02-10T16:40:00+00:00", "afternoon")
        poll({"weekly": [r.COLUMN_ONE, r.COLUMN_TWO, afternoon], "wire": [r.ORIGINAL, r.ARRESTS]})
        assert_rows_are_a_full_refresh(conn)
        row = conn.execute("SELECT reports, outlets FROM stories WHERE id = ?", (event,)).fetchone()
        assert tuple(row) == (6, 5)  # wire, agency, daily, the mirror and the weekly
        # A re-score (a new watchlist entry), then one more poll on top of it.
        core.add_entry(Entry(name="Karim Benhaddou", kind="person", aliases=("Benhaddou",)))
        poll({"daily": [changed, _at(r.UPDATE, "2026-02-11T08:00:00+00:00", "next-morning")]})
        assert_rows_are_a_full_refresh(conn)
        assert conn.execute("SELECT highlighted FROM stories WHERE id = ?", (event,)).fetchone()[0] == 1
    finally:
        core.close()


def test_the_migration_keeps_the_outlets_of_an_existing_profile(data_dir: Path, httpserver) -> None:  # type: ignore[no-untyped-def]
    paths = AppPaths.resolve(data_dir)
    core = VigieCore(paths)
    try:
        for name, reports in {
            "wire": [r.ORIGINAL, r.TRANSLATION],
            "daily": [r.REPRINT, r.COLUMN_ONE],
        }.items():
            core.add_feed(
                serve_feed(httpserver, f"/{name}.xml", ServedFeed(r.rss(reports, f"https://{name}.org")))
            )
        core.poll()
        conn = core.store.conn
        kept = _kept(conn)
        assert kept[1]
        with db.transaction(conn):  # the profile as schema 23 left it
            conn.execute("DROP TABLE story_outlets")
            for name in ("story_days_inserted", "story_days_updated"):  # and step 30's
                conn.execute(f"DROP TRIGGER {name}")
            conn.execute("DROP TABLE story_days")
            conn.execute("PRAGMA user_version = 23")
    finally:
        core.close()
    again = VigieCore(paths)
    try:
        assert db.schema_version(again.store.conn) == db.SCHEMA_VERSION
        assert _kept(again.store.conn) == kept
    finally:
        again.close()
