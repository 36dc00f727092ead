"""The folders table: the v7 migration of a v6 database with its feeds, one row per path, and the import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.core.models import Subscription
from monitor.core.storage import db
from monitor.core.storage.store import Store
from tests.core.storage.conftest import INTEGRITY_ERRORS, OpenStore


def test_a_version_6_database_is_backed_up_then_migrated_with_its_feeds(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    conn = db.connect(path)
    assert db.migrate(conn, tmp_path / "backups", db.MIGRATIONS[:6]) == 6
    conn.execute(
        """INSERT INTO feeds(url, title, interval_minutes, muted, consecutive_failures, last_error, created)
           VALUES ('https://a.example/rss', 'A', 30, 1, 2, 'HTTP 503', 'then'),
                  ('https://b.example/rss', 'B', 15, 0, 0, NULL, 'then')"""
    )
    conn.close()

    store = Store.open(path, tmp_path / "backups")
    assert db.schema_version(store.conn) == db.SCHEMA_VERSION >= 7
    feeds = {f.url: f for f in store.list_feeds()}
    assert set(feeds) == {"https://a.example/rss", "https://b.example/rss"}
    a = feeds["https://a.example/rss"]
    assert (a.title, a.interval_minutes, a.muted, a.consecutive_failures, a.last_error) == (
        "A",
        30,
        True,
        2,
        "HTTP 503",
    )
    assert a.folder == () and a.site_url is None
    assert store.list_folders() == []
    store.move_feeds([a.id], ("News",))  # the new columns work on the migrated rows
    assert store.get_feed(a.id).folder == ("News",)  # type: ignore[union-attr]

    backups = list((tmp_path / "backups").glob("vigie-schema6-*.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 6
    assert sorted(old.execute("SELECT url FROM feeds").fetchall()) == [
        ("https://a.example/rss",),
        ("https://b.example/rss",),
    ]
    old.close()
    store.close()


def test_the_database_refuses_a_second_folder_of_the_same_path(open_store: OpenStore) -> None:
    store = open_store()
    store.create_folder(("News",))
    news = store.folder_id(("News",))
    for parent in (None, news):
        store.conn.execute("INSERT INTO folders(parent_id, title, created) VALUES (?, 'X', 'now')", (parent,))
        with pytest.raises(INTEGRITY_ERRORS):
            store.conn.execute(
                "INSERT INTO folders(parent_id, title, created) VALUES (?, 'X', 'now')", (parent,)
            )
    store.close()


def test_an_import_is_all_or_nothing(open_store: OpenStore) -> None:
    store = open_store()
    store.add_feed("https://kept.example/rss", "Kept", folder=("Mine",))
    subs = [
        Subscription("https://new.example/rss", "New", ("Imported",)),
        Subscription("https://bad.example/rss", "Bad", tuple(str(i) for i in range(40))),  # too deep
    ]
    with pytest.raises(Exception, match="at most"):
        store.import_subscriptions(subs)
    assert [f.url for f in store.list_feeds()] == ["https://kept.example/rss"]
    assert store.list_folders() == [("Mine",)]
    store.close()


def test_an_import_keeps_subscribed_feeds_where_they_are_and_fills_a_missing_site_url(
    open_store: OpenStore,
) -> None:
    store = open_store()
    store.add_feed("https://a.example/rss", "Mine", 20, folder=("Mine",))
    counts = store.import_subscriptions(
        [
            Subscription("https://a.example/rss", "Theirs", ("Theirs",), "https://a.example/", 60, True),
            Subscription("https://b.example/rss", "B", ("Theirs", "Sub"), None, 90, True),
        ],
        interval_minutes=15,
        folders=[("Theirs",), ("Theirs", "Sub"), ("Empty",)],
    )
    assert (counts.added, counts.existing, counts.folders_created) == (1, 1, 3)
    a = store.feed_by_url("https://a.example/rss")
    assert a is not None
    assert (a.title, a.folder, a.interval_minutes, a.muted, a.site_url) == (
        "Mine",
        ("Mine",),
        20,
        False,
        "https://a.example/",
    )
    b = store.feed_by_url("https://b.example/rss")
    assert b is not None
    assert (b.folder, b.interval_minutes, b.muted) == (("Theirs", "Sub"), 90, True)
    assert store.list_folders() == [("Empty",), ("Mine",), ("Theirs",), ("Theirs", "Sub")]
    store.close()
