"""Feeds and the watchlist are the team's on a shared PostgreSQL database (issue 19): the watchlist is kept in the
database with its versions, and every change to feeds, folders and the watchlist records who made it and when
(an audit table filled by triggers, `vigie audit`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.core.matching.watchlist import Entry, load_watchlist
from monitor.core.service import VigieCore
from monitor.core.storage.feed_records import FeedState
from monitor.core.storage.store import Store
from monitor.paths import AppPaths
from tests.pg_server import empty_database


@pytest.fixture
def database(tmp_path: Path, postgres_server: str) -> str:
    Store.open(tmp_path / "unused.sqlite3", database=postgres_server).close()
    return empty_database(postgres_server)


def _core(tmp_path: Path, name: str, database: str) -> VigieCore:
    return VigieCore(AppPaths.resolve(tmp_path / name), database=database, analyst=name)


def test_the_watchlist_is_the_teams_with_its_versions(tmp_path: Path, database: str) -> None:
    alice = _core(tmp_path, "alice", database)
    bob = _core(tmp_path, "bob", database)
    try:
        first = alice.store.latest_watchlist()
        assert first is not None and first.analyst == "alice"  # the first client published its profile's list
        assert bob.watchlist.fingerprint == alice.watchlist.fingerprint
        entry = Entry(name="Zoé Quidam", kind="person", aliases=("Zoé Quidam",))
        bob.add_entry(entry)
        latest = bob.store.latest_watchlist()
        assert latest is not None and latest.version > first.version and latest.analyst == "bob"
        assert "Zoé Quidam" not in {e.name for e in alice.watchlist.entries}
        assert alice.sync_watchlist()  # before each poll: the version bob saved
        assert "Zoé Quidam" in {e.name for e in alice.watchlist.entries}
        assert "Zoé Quidam" in {
            e.name for e in load_watchlist(alice.paths.watchlist).entries
        }  # the local copy
        assert not alice.sync_watchlist()
        # A third analyst opening later gets the newest, not its own profile's list.
        carol = _core(tmp_path, "carol", database)
        assert "Zoé Quidam" in {e.name for e in carol.watchlist.entries}
        carol.close()
    finally:
        alice.close()
        bob.close()


def test_feed_folder_and_watchlist_changes_record_who_and_when(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = _core(tmp_path, "alice", database)
    bob = _core(tmp_path, "bob", database)
    try:
        before = len(alice.store.audit_entries(limit=1000))
        feed, _ = alice.store.add_feed("https://example.org/rss", "Exemple", 15, folder=("Presse",))
        bob.store.set_muted([feed.id], True)
        bob.store.record_fetch(
            feed.id, FeedState(status=200, error=None), "2026-01-01T00:00:00+00:00"
        )  # a poll's bookkeeping
        bob.add_entry(Entry(name="Zoé Quidam", kind="person", aliases=("Zoé Quidam",)))
        entries = alice.store.audit_entries(limit=1000)[: len(alice.store.audit_entries(limit=1000)) - before]
        said = [(e.analyst, e.subject, e.action) for e in reversed(entries)]
        assert said == [
            ("alice", "folders", "insert"),
            ("alice", "feeds", "insert"),
            ("bob", "feeds", "update"),
            ("bob", "watchlist_versions", "insert"),
        ]
        mute = entries[1]
        assert mute.before is not None and mute.after is not None
        assert (mute.before["muted"], mute.after["muted"], mute.object_id) == (0, 1, feed.id)
        assert "muted: 0 -> 1" in mute.changes()
    finally:
        alice.close()
        bob.close()
    args = ["--data-dir", str(tmp_path / "carol"), "--database", database, "--analyst", "carol", "audit"]
    assert main([*args, "--subject", "feeds", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["analyst"], r["action"]) for r in records] == [("bob", "update"), ("alice", "insert")]
    assert records[0]["before"]["muted"] == 0 and records[0]["after"]["muted"] == 1
    assert main([*args, "--limit", "1"]) == 0
    line = capsys.readouterr().out.strip()
    assert "bob" in line and "watchlist" in line


def test_audit_on_a_local_profile_is_refused_in_words(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit"]) == 2
    assert "only on a shared PostgreSQL database" in capsys.readouterr().err
