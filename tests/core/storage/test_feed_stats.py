"""Schema 8 (last success, the covering feed index) and the one query behind the feed health figures."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from monitor.core.models import Assessment, ParsedItem
from monitor.core.storage import db
from monitor.core.storage.feed_records import FeedState
from monitor.core.storage.feed_stats import feed_activity
from monitor.core.storage.store import Store
from tests.core.storage.conftest import OpenStore

NOW = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


def test_a_version_7_database_is_backed_up_then_migrated_with_its_last_successes(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:7]) == 7
    conn.execute(
        """INSERT INTO feeds(url, title, last_fetched, consecutive_failures, last_error, created)
           VALUES ('https://ok.example/rss', 'ok', '2025-11-20T10:00:00+00:00', 0, NULL, 'then'),
                  ('https://bad.example/rss', 'bad', '2025-11-20T10:00:00+00:00', 2, 'HTTP 503', 'then'),
                  ('https://new.example/rss', 'new', NULL, 0, NULL, 'then')"""
    )
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    try:
        assert db.schema_version(store.conn) == db.SCHEMA_VERSION
        feeds = {f.title: f for f in store.list_feeds()}
        # A feed whose last attempt worked last worked then; of a failing one nothing tells, so nothing is made up.
        assert feeds["ok"].last_success == "2025-11-20T10:00:00+00:00"
        assert feeds["bad"].last_success is None
        assert feeds["new"].last_success is None
        columns = [r[2] for r in store.conn.execute("PRAGMA index_info(articles_feed)")]
        assert columns == ["feed_id", "published", "highlighted"]
        assert len(list((tmp_path / "backups").glob("vigie-schema7-*.sqlite3"))) == 1
    finally:
        store.close()


def test_record_fetch_moves_the_last_success_only_on_success(open_store: OpenStore) -> None:
    store = open_store()
    try:
        feed, _ = store.add_feed("https://a.example/rss")
        store.record_fetch(feed.id, FeedState(status=200, error=None), "2025-11-20T09:00:00+00:00")
        store.record_fetch(feed.id, FeedState(status=304, error=None), "2025-11-20T10:00:00+00:00")
        store.record_fetch(
            feed.id,
            FeedState(status=500, error="HTTP 500", consecutive_failures=1),
            "2025-11-20T11:00:00+00:00",
        )
        after = store.get_feed(feed.id)
        assert after is not None
        assert (after.last_success, after.last_fetched) == (
            "2025-11-20T10:00:00+00:00",
            "2025-11-20T11:00:00+00:00",
        )
    finally:
        store.close()


def _item(n: int, published: str | None) -> ParsedItem:
    return ParsedItem(
        guid=f"g{n}", link=f"https://a.example/{n}", title=f"Item {n}", summary="", content="", content_html="",
        published=published,
    )  # fmt: skip


def test_days_at_the_window_s_edges_future_items_and_other_feeds(open_store: OpenStore) -> None:
    store = open_store()
    try:
        a, _ = store.add_feed("https://a.example/rss")
        b, _ = store.add_feed("https://b.example/rss")
        dated = [
            "2025-11-06T23:59:59+00:00",  # the day before the window
            "2025-11-07T00:00:00+00:00",  # its first day
            "2025-11-20T23:00:00+00:00",  # today
            "2025-11-25T08:00:00+00:00",  # a server's clock ahead: counted today
        ]
        items = [_item(n, p) for n, p in enumerate(dated)]
        pending = store.prepare("https://a.example/rss", items)
        # Every item scores; only the odd ones reach the threshold: the share counts highlighted, not scored.
        marks = [Assessment(score=2.0 + 3 * (n % 2), highlighted=n % 2 == 1) for n in range(len(pending))]
        store.save_items(
            source="https://a.example/rss", feed_id=a.id, items=list(zip(pending, marks, strict=True)),
            fetched_at="2025-11-20T12:00:00+00:00", poll_id=1,
        )  # fmt: skip
        activity = feed_activity(store.conn, NOW)
        assert set(activity) == {a.id}  # b has no item: absent
        assert activity[a.id].per_day == (1,) + (0,) * 12 + (2,)
        assert (activity[a.id].items, activity[a.id].highlighted) == (4, 2)
        assert activity[a.id].last_item == "2025-11-25T08:00:00+00:00"
        assert b.id not in activity
    finally:
        store.close()


def test_the_query_reads_the_index_not_the_rows(tmp_path: Path) -> None:
    from monitor.core.storage.feed_stats import _ACTIVITY_SQL

    conn = sqlite3.connect(tmp_path / "p.sqlite3")
    db.migrate(conn, tmp_path / "b")
    plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {_ACTIVITY_SQL}", {"since": "2025-11-07"})]
    reads = [step for step in plan if step.startswith(("SEARCH a", "SCAN a"))]  # articles, as itself or "a"
    assert len(reads) == 2, plan
    assert all("USING COVERING INDEX articles_feed" in step for step in reads), plan
    assert any("(feed_id=? AND published>?)" in step for step in reads), plan  # the window is a seek per feed
    conn.close()
